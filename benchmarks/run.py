"""`make bench`: the figures a team asks for before adopting the template, in one run.

- Cold start: each function's handler import time in a fresh python3.13 process (median of
  several), beside the floor of a bare ``import boto3`` in the same conditions.
- Size: the shared layer unzipped and zipped, and each function's own package, from the
  ``sam build`` output (arm64, as deployed).
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

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
LAYER_SOURCE = ROOT / "layers" / "shared"
COLD_START_RUNS = 7
INIT_TARGET = 1.3  # times the import-boto3 floor
LAYER_TARGET_MB = 15.0

IMPORT_TIMER = (
    "import sys, time; sys.path[:0] = sys.argv[1:]; t = time.perf_counter(); "
    "import {module}; print(time.perf_counter() - t)"
)


def template_functions() -> dict[str, tuple[Path, str]]:
    """Logical id -> (code folder, handler module) for every function in template.yaml."""
    template = yaml_parse((ROOT / "template.yaml").read_text())
    default_handler = template.get("Globals", {}).get("Function", {}).get("Handler", "app.handler")
    functions = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            properties = resource["Properties"]
            module = properties.get("Handler", default_handler).rpartition(".")[0]
            functions[name] = (ROOT / properties["CodeUri"], module)
    return functions


def import_seconds(module: str, path: list[Path], cwd: Path) -> float:
    """Median time to import ``module`` in a fresh interpreter (bytecode already cached)."""
    env = {
        "PATH": os.environ["PATH"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    command = [sys.executable, "-c", IMPORT_TIMER.format(module=module), *map(str, path)]
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


def cold_starts() -> None:
    print(f"\n== Cold start: handler import in a fresh {sys.version.split()[0]} process ==")
    print(f"   median of {COLD_START_RUNS}; target: at most {INIT_TARGET}x the boto3 floor")
    floor = import_seconds("boto3", [], ROOT)
    print(f"   {'import boto3 (floor)':<34} {floor * 1000:7.1f} ms")
    for name, (folder, module) in sorted(template_functions().items()):
        seconds = import_seconds(module, [folder, LAYER_SOURCE], folder)
        ratio = seconds / floor
        verdict = "ok" if ratio <= INIT_TARGET else f"MISSED by {ratio - INIT_TARGET:.2f}x"
        print(f"   {name:<34} {seconds * 1000:7.1f} ms  {ratio:4.2f}x  {verdict}")


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


def largest_packages(layer: Path, count: int = 4) -> str:
    """The biggest top-level entries of a built layer's python/ folder, to say where size goes."""
    root = layer / "python" if (layer / "python").is_dir() else layer
    entries = {
        entry.name: sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        if entry.is_dir()
        else entry.stat().st_size
        for entry in root.iterdir()
    }
    ranked = sorted(entries.items(), key=lambda item: item[1], reverse=True)[:count]
    return ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in ranked)


def sizes() -> None:
    print("\n== Package sizes (sam build output, arm64) ==")
    if not (BUILD / "template.yaml").exists():
        print("   no build output: run `make build` first")
        return
    built = yaml_parse((BUILD / "template.yaml").read_text())["Resources"]
    for name, resource in sorted(built.items()):
        if resource["Type"] not in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion"):
            continue
        unzipped, zipped = folder_sizes(BUILD / name)
        note = ""
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            ok = unzipped / 1e6 <= LAYER_TARGET_MB
            note = f"  target < {LAYER_TARGET_MB:.0f} MB unzipped: {'ok' if ok else 'MISSED'}"
        figures = f"{megabytes(unzipped)} unzipped {megabytes(zipped)} zipped"
        print(f"   {name:<34} {figures}{note}")
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            print(f"   {'':<34} largest: {largest_packages(BUILD / name)}")


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
    cold_starts()
    sizes()
    gateway()
    local_loop()
    test_wall_time()
