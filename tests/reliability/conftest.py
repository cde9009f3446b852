"""Fixtures of the reliability suite: an emulator in its own process (so that forked children
and load tests never share an interpreter, a GIL or a thread with the server), on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class EmulatorProcess:
    base_url: str
    api_key: str
    pid: int


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """``python -m wenwen_emulator --port 0`` in a child process; the first two lines it
    prints are its URL and key (it prints them only once it is listening)."""
    command = [sys.executable, "-m", "wenwen_emulator", "--host", "127.0.0.1", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        url_line = process.stdout.readline()
        key_line = process.stdout.readline()
        if "http://" not in url_line:
            raise RuntimeError(f"the emulator did not start: {url_line!r}")
        base_url = url_line.rsplit(" ", 1)[-1].strip()
        api_key = key_line.rsplit(" ", 1)[-1].strip()
        yield EmulatorProcess(base_url=base_url, api_key=api_key, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            process.kill()
            process.wait(timeout=10)
