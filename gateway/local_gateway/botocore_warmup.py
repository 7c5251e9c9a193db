"""botocore's data files read once in the fork server, instead of once per worker.

A worker's first boto3 client reads and parses botocore's bundled JSON (the endpoints and
partitions, the service's model and endpoint rules) and lists its ~400 service folders: about
0.2 s of CPU, paid again by every worker of a burst. The fork server reads those files once, for
the services the code creates clients of, and each session's new `Loader` in a forked worker
starts with that cache: a copy of the cache, a new loader per session, as botocore's own
`create_loader` gives.

What is shared is only the content of botocore's own data files, which every worker would read
the same. No session, client, credential, region or environment variable is read in the fork
server; a session whose data path is set (`AWS_DATA_PATH`, or `data_path` in its config) gets
botocore's loader untouched.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterable
from pathlib import Path

CLIENT_FACTORIES = frozenset({"client", "resource"})
SHARED_DATA = ("endpoints", "partitions", "sdk-default-configuration")
MODEL_TYPES = ("service-2", "endpoint-rule-set-1")


def services_used(files: Iterable[Path]) -> list[str]:
    """The services the code makes clients of: `boto3.client("dynamodb")`, `.resource("s3")`."""
    names = set()
    for path in files:
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue  # its worker's init reports it
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
                in CLIENT_FACTORIES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return sorted(names)


def warm_data_loader(services: Iterable[str]) -> list[str]:
    """Reads botocore's data for `services` now; every later default loader starts with it.

    Returns the services whose models were read (an unknown name is left to the function)."""
    import botocore.exceptions
    import botocore.loaders
    import botocore.session

    warm = botocore.loaders.create_loader()
    for name in SHARED_DATA:
        warm.load_data(name)
    warmed = []
    for service in services:
        with contextlib.suppress(botocore.exceptions.DataNotFoundError):
            for type_name in MODEL_TYPES:
                warm.load_service_model(service, type_name)
            warmed.append(service)
    # botocore's per-loader cache (`instance_cache`): a plain dict, not in its type stubs.
    cached = dict(warm._cache)  # type: ignore[attr-defined]
    create_loader = botocore.session.create_loader

    def create_warm_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
        loader = create_loader(search_path_string)
        if search_path_string is None:  # botocore's own data folders: the files read above
            loader._cache.update(cached)  # type: ignore[attr-defined]
        return loader

    botocore.session.create_loader = create_warm_loader
    return warmed
