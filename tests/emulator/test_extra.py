"""Without the [emulator] extra: a clear ImportError, and ``offline`` still works with a key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Starlette and uvicorn made unimportable, as in an install without the extra.
SCRIPT = """
import sys
sys.modules["starlette"] = None
sys.modules["uvicorn"] = None
import importlib.util
real_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name in ("starlette", "uvicorn") else real_find_spec(name, *a)

from wenwen_emulator.offline import emulator_unless_key
with emulator_unless_key(quiet=True) as (base_url, key):
    print("offline:", base_url, key)
try:
    from wenwen_emulator import Emulator
except ImportError as exc:
    print("error:", exc)
"""


def test_without_the_extra_the_error_names_it_and_offline_works_with_a_key() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "WENWEN_API_KEY": "sk-real",
        "WENWEN_BASE_URL": "https://relay.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "offline: https://relay.example sk-real"
    assert lines[1].startswith(
        'error: the Wenwen emulator needs the [emulator] extra: pip install "wenwen-ai[emulator]"'
    )
