"""``python -m wenwen_emulator`` prints its URL and serves until interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def test_cli_port_zero_prints_real_url() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenwen_emulator", "--port", "0", "--quirks", "no_done"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "Wenwen emulator listening on http://127.0.0.1:"
        assert line.startswith(prefix), line + (proc.stderr.read() if proc.poll() else "")
        base = line.split(" on ", 1)[1]
        assert int(base.rsplit(":", 1)[1]) > 0
        headers = {"Authorization": "Bearer sk-emulator"}
        response = httpx.get(base + "/v1/models", headers=headers, timeout=5)
        assert response.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
