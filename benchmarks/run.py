"""`make bench`: the figures a team asks for before adopting the template, in one run.

- Cold start: each function's handler import time in a fresh python3.13 process (median of
  several), beside the floor of a bare ``import boto3`` in the same conditions; then what the
  handlers load lazily (tracing, boto3 clients) on their first call or before a SnapStart
  snapshot, and the init cost of each tracing candidate (docs/operations.md, "Tracing").
- Size: the shared layer unzipped and zipped, and each function's own package, from the
  ``sam build`` output (arm64, as deployed); the layer's contents by size.
- Gateway: latency and throughput through the local gateway (``benchmarks/gateway.py``).
- Local loop: eight concurrent first requests to one function, and a route added to the
  template going live under a running gateway (``benchmarks/local_loop.py``).
- Tests: the wall time of the last full ``make test``.

It prints figures and targets side by side; it never fails on a missed target.
"""

import io
import json
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

from local_gateway.template import read_template

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
LAYER_SOURCE = ROOT / "layers" / "shared"
COLD_START_RUNS = 7
INIT_TARGET = 1.0  # times the import-boto3 floor
LAYER_TARGET_MB = 12.0
# A python with aws-opentelemetry-distro installed, to measure the ADOT / Application Signals
# candidate (docs/operations.md says how to make one); skipped when unset.
ADOT_PYTHON = os.environ.get("ADOT_PYTHON", "")

IMPORT_TIMER = (
    "import sys, time; sys.path[:0] = sys.argv[1:]; t = time.perf_counter(); "
    "import {module}; print(time.perf_counter() - t)"
)
# Time a statement in a fresh process, after the imports in `setup` (not timed).
STATEMENT_TIMER = (
    "import sys, time; sys.path[:0] = sys.argv[1:]; {setup}; t = time.perf_counter(); "
    "{statement}; print(time.perf_counter() - t)"
)
# Each handler checks its settings at import (sample_api.handlers): values for all of them, as
# tests/support/environment.py gives the tests.
FUNCTION_SETTINGS = {
    "TABLE_NAME": "UsersTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "FILES_BUCKET_NAME": "files-bucket",
    "MAX_UPLOAD_BYTES": "10485760",
    "API_KEY_GRACE_SECONDS": "86400",
    "RETIREMENT_ROLE_ARN": "arn:aws:iam::123456789012:role/retire-partner-keys",
    "OIDC_ISSUER": "https://issuer.example.test",
    "OIDC_AUDIENCE": "https://api.example.test",
    "OIDC_JWKS_URL": "https://issuer.example.test/.well-known/jwks.json",
    "SCOPE_ROUTES": '{"things:write": ["POST /v1/things"]}',
}
BENCH_ENVIRONMENT = {
    **FUNCTION_SETTINGS,
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
# As inside Lambda with active tracing: spans go to the X-Ray daemon (nothing listens here).
TRACING_ENVIRONMENT = {
    **FUNCTION_SETTINGS,
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}
# The ways to trace a function, each as the code it runs at init (docs/operations.md).
TRACING_CANDIDATES = (
    (
        "OpenTelemetry SDK + X-Ray exporter (chosen)",
        "from sample_api import tracing",
        "tracing.otel_tracer()",
    ),
    (
        "X-Ray SDK via Powertools Tracer (before)",
        "pass",
        "import aws_xray_sdk.core; from aws_lambda_powertools import Tracer; Tracer()",
    ),
    ("Lambda active tracing alone (no spans in code)", "pass", "pass"),
)
ADOT_CANDIDATE = (
    "ADOT / Application Signals auto-instrumentation",
    "pass",
    "from opentelemetry.instrumentation.auto_instrumentation import initialize; initialize()",
)
ADOT_ENVIRONMENT = {
    # What the Application Signals layer's wrapper sets before the runtime starts.
    "OTEL_PYTHON_DISTRO": "aws_distro",
    "OTEL_PYTHON_CONFIGURATOR": "aws_configurator",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "false",
}


def template_functions() -> dict[str, tuple[Path, str]]:
    """Logical id -> (code folder, handler module) for every function in template.yaml."""
    template = read_template(ROOT / "template.yaml")  # its Fn::ForEach loops unrolled
    default_handler = template.get("Globals", {}).get("Function", {}).get("Handler", "app.handler")
    functions = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            properties = resource["Properties"]
            module = properties.get("Handler", default_handler).rpartition(".")[0]
            functions[name] = (ROOT / properties["CodeUri"], module)
    return functions


def median_seconds(
    code: str,
    path: list[Path],
    cwd: Path,
    environment: dict[str, str] | None = None,
    python: str = sys.executable,
) -> float:
    """Median seconds ``code`` prints in a fresh interpreter (bytecode already cached)."""
    env = {"PATH": os.environ["PATH"], **(environment or BENCH_ENVIRONMENT)}
    command = [python, "-c", code, *map(str, path)]
    subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env)  # warm .pyc
    samples = [
        float(
            subprocess.run(
                command, check=True, capture_output=True, text=True, cwd=cwd, env=env
            ).stdout
        )
        for _ in range(COLD_START_RUNS)
    ]
    return statistics.median(samples)


def paired_import_seconds(module: str, path: list[Path], cwd: Path) -> tuple[float, float]:
    """Medians of (importing ``module``, ``import boto3``), their runs interleaved.

    Each handler is compared with a floor measured in the same minute: on a machine shared
    with other jobs, a floor taken once would make every ratio depend on the load of the
    moment it was taken.
    """
    env = {"PATH": os.environ["PATH"], **BENCH_ENVIRONMENT}
    commands = [
        ([sys.executable, "-c", IMPORT_TIMER.format(module=module), *map(str, path)], cwd),
        ([sys.executable, "-c", IMPORT_TIMER.format(module="boto3")], ROOT),
    ]
    for command, folder in commands:  # warm .pyc
        subprocess.run(command, check=True, capture_output=True, cwd=folder, env=env)
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(COLD_START_RUNS):
        for (command, folder), kept in zip(commands, samples, strict=True):
            run = subprocess.run(
                command, check=True, capture_output=True, text=True, cwd=folder, env=env
            )
            kept.append(float(run.stdout))
    return statistics.median(samples[0]), statistics.median(samples[1])


def cold_starts() -> float:
    print(f"\n== Cold start: handler import in a fresh {sys.version.split()[0]} process ==")
    print(
        f"   median of {COLD_START_RUNS}, each beside an `import boto3` floor run between "
        f"its runs; target: at most {INIT_TARGET}x that floor"
    )
    floors = []
    for name, (folder, module) in sorted(template_functions().items()):
        seconds, floor = paired_import_seconds(module, [folder, LAYER_SOURCE], folder)
        floors.append(floor)
        ratio = seconds / floor
        verdict = "ok" if ratio <= INIT_TARGET else f"MISSED by {ratio - INIT_TARGET:.2f}x"
        print(
            f"   {name:<34} {seconds * 1000:7.1f} ms  floor {floor * 1000:7.1f} ms"
            f"  {ratio:4.2f}x  {verdict}"
        )
    floor = statistics.median(floors)
    print(f"   {'import boto3 (median floor)':<34} {floor * 1000:7.1f} ms")
    return floor


def lazy_loads(floor: float) -> None:
    """What a handler defers to its first call (or, with SnapStart, to before the snapshot)."""
    print("\n== Loaded on first use: first call, or before the SnapStart snapshot ==")
    folder = ROOT / "functions" / "get_user"
    code = STATEMENT_TIMER.format(
        setup="import app; from sample_api.observability import warm_up",
        statement="warm_up()",
    )
    seconds = median_seconds(code, [folder, LAYER_SOURCE], folder, TRACING_ENVIRONMENT)
    label = "warm_up(): tracing + 3 boto3 clients"
    print(f"   {label:<48} {seconds * 1000:7.1f} ms  {seconds / floor:4.2f}x")
    print("\n== Tracing candidates: init cost in a fresh process (docs/operations.md) ==")
    candidates: list[tuple[tuple[str, str, str], str, dict[str, str]]] = [
        (candidate, sys.executable, TRACING_ENVIRONMENT) for candidate in TRACING_CANDIDATES
    ]
    if ADOT_PYTHON:
        candidates.append((ADOT_CANDIDATE, ADOT_PYTHON, TRACING_ENVIRONMENT | ADOT_ENVIRONMENT))
    for (label, setup, statement), python, environment in candidates:
        code = STATEMENT_TIMER.format(setup=setup, statement=statement)
        try:
            seconds = median_seconds(code, [LAYER_SOURCE], ROOT, environment, python)
        except subprocess.CalledProcessError as error:
            print(f"   {label:<48} not measured: {error.stderr.strip().splitlines()[-1:]}")
            continue
        print(f"   {label:<48} {seconds * 1000:7.1f} ms  {seconds / floor:4.2f}x")
    if not ADOT_PYTHON:
        print("   ADOT / Application Signals: set ADOT_PYTHON (docs/operations.md) to measure it")


def folder_sizes(folder: Path) -> tuple[int, int]:
    """(bytes on disk, bytes as the zip SAM uploads) of a build folder."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    unzipped = sum(path.stat().st_size for path in files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(folder))
    return unzipped, buffer.tell()


def megabytes(size: int) -> str:
    """MB to two decimals, or kB for a function's own few files."""
    return f"{size / 1e6:7.2f} MB" if size >= 100_000 else f"{size / 1e3:7.1f} kB"


def layer_contents(layer: Path, smallest: int = 50_000) -> list[str]:
    """The built layer's top-level packages, largest first; the small ones summed in one line."""
    root = layer / "python" if (layer / "python").is_dir() else layer
    entries = {
        entry.name: sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        if entry.is_dir()
        else entry.stat().st_size
        for entry in root.iterdir()
    }
    ranked = sorted(entries.items(), key=lambda item: item[1], reverse=True)
    lines = [f"{name:<40} {megabytes(size)}" for name, size in ranked if size >= smallest]
    rest = [size for _, size in ranked if size < smallest]
    if rest:
        lines.append(f"{f'{len(rest)} smaller entries':<40} {megabytes(sum(rest))}")
    return lines


def sizes() -> None:
    print("\n== Package sizes (sam build output, arm64) ==")
    if not (BUILD / "template.yaml").exists():
        print("   no build output: run `make build` first")
        return
    built = read_template(BUILD / "template.yaml")["Resources"]
    for name, resource in sorted(built.items()):
        if resource["Type"] not in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion"):
            continue
        unzipped, zipped = folder_sizes(BUILD / name)
        note = ""
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            ok = unzipped / 1e6 <= LAYER_TARGET_MB
            note = f"  target <= {LAYER_TARGET_MB:.0f} MB unzipped: {'ok' if ok else 'MISSED'}"
        figures = f"{megabytes(unzipped)} unzipped {megabytes(zipped)} zipped"
        print(f"   {name:<34} {figures}{note}")
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            print(f"   {name} contents, largest first:")
            for line in layer_contents(BUILD / name):
                print(f"      {line}")


def gateway() -> None:
    print("\n== Local gateway: latency and throughput ==")
    script = ROOT / "benchmarks" / "gateway.py"
    if not script.exists():
        print("   benchmarks/gateway.py is not there yet")
        return
    subprocess.run([sys.executable, str(script)], check=False, cwd=ROOT)


def local_loop() -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "local_loop.py")], check=False, cwd=ROOT
    )


def test_wall_time() -> None:
    print("\n== Test suite ==")
    record = ROOT / ".local" / "test-wall-time.json"
    if not record.exists():
        print("   no full `make test` recorded yet on this machine: run it, then `make bench`")
        return
    last = json.loads(record.read_text())
    print(f"   last `make test`: {last['seconds']:.0f} s wall time ({last['finished']})")


if __name__ == "__main__":
    lazy_loads(cold_starts())
    sizes()
    gateway()
    local_loop()
    test_wall_time()
