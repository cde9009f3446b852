"""The "Scaling out" recipes (``recipes.py``) on Ray Data, Dask and Spark: 2 and 4 workers
sharing a key limited to 5 requests per second embed every text, equal to a one-process
run, with no ``RateLimitError`` and no unclosed socket, transport or session, nor "Event
loop is closed", in any worker's output.

The engines come with the ``[scale]`` extra (part of ``[dev]``). Without one, the test is
skipped with its reason on a developer's machine and fails in CI (``CI=true``): CI never
skips an engine silently.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wenwen import WenwenClient
from wenwen_emulator import Emulator
from wenwen_emulator.rate_limit import KeyRateLimit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import recipes  # noqa: E402

TEXTS = 200
WORKERS = (2, 4)
KEY_RATE = 5  # requests per second for the one key every worker shares
ENGINES = {
    "ray-data": ("ray", "ray[data]"),
    "ray-llama-index": ("ray", "ray[data]"),
    "dask": ("dask.bag", "dask[bag]"),
    "spark": ("pyspark", "pyspark (and a Java 17+ runtime)"),
}
# What our clients would leave behind if a pool were not closed (pyspark's own daemon
# reports unclosed *files* of its own; those are not ours and not matched here).
LEAKS = re.compile(
    r"unclosed <socket|unclosed transport|Unclosed client session|Unclosed connector"
    r"|Event loop is closed|RateLimitError"
)


def engine_missing(engine: str) -> str | None:
    module, package = ENGINES[engine]
    root = module.split(".")[0]
    if importlib.util.find_spec(root) is None or importlib.util.find_spec(module) is None:
        return f"{engine} needs {package}: pip install -e '.[scale]'"
    if engine == "spark" and shutil.which("java") is None:
        return "spark needs a Java runtime (java on PATH)"
    return None


@pytest.fixture(scope="module")
def limited() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def reference(emu: Emulator) -> dict[str, list[float]]:
    texts = recipes.corpus(TEXTS)
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        result = client.embed(texts, model=recipes.MODEL, dimensions=recipes.DIMENSIONS)
    return dict(zip(texts, result.vectors, strict=True))


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_workers_sharing_a_rate_limited_key_finish_every_text(
    limited: Emulator, engine: str, tmp_path: Path
) -> None:
    missing = engine_missing(engine)
    if missing is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run every engine recipe: {missing}")
        pytest.skip(missing)
    limited.state.rate_limit = None
    expected = reference(limited)
    limiter = KeyRateLimit(KEY_RATE, 1.0, now=limited.state.clock.now)
    limited.state.rate_limit = limiter
    out = tmp_path / "vectors.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "WENWEN_API_KEY": limited.api_key,
        "WENWEN_BASE_URL": limited.base_url,
        "PYTHONWARNINGS": "default::ResourceWarning",  # workers inherit it
        "RAY_USAGE_STATS_ENABLED": "0",
    }
    command = [sys.executable, str(HERE / "recipes.py"), engine, "--texts", str(TEXTS)]
    command += ["--workers", *map(str, WORKERS), "--out", str(out)]
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path
        )
    finally:
        limited.state.rate_limit = None
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert LEAKS.findall(output) == [], output[-4000:]
    results = json.loads(out.read_text())
    for workers in WORKERS:
        assert results[str(workers)] == expected, f"{engine} with {workers} workers"
    assert limiter.rejected > 0  # the key's limit was reached: the workers slowed down
