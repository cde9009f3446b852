"""Every ```python block of README.md runs verbatim, as a newcomer would run it: in a fresh
interpreter, against an emulator started with the README's own command, with the
environment the README's ``export`` line gives. A block that cannot run here must say so
with ``<!-- not-run: TAG reason -->`` on the line before its fence; only the tags in
``NOT_RUN_ALLOWED`` are accepted, and at most ``MAX_NOT_RUN`` blocks may use them.

Each block runs in a temporary folder that stands for a clone's root (``examples/`` is
linked in), so files a block writes never land in the working tree. Every non-loopback
connection a block might try goes to a closed proxy port instead of the network.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

NOT_RUN_ALLOWED = {
    "real-key": "needs the real relay (a service the emulator does not stand in for)",
    "cluster": "needs a Ray / Dask / Spark cluster",
}
MAX_NOT_RUN = 4
BLOCK_TIMEOUT = 180  # seconds for one block (a few model calls, a process pool, an agent)

_FENCE = re.compile(r"^```(\w*)\s*$")
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*([\w-]+)\s*(.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    not_run: str | None  # the tag of a not-run marker right before the fence


def readme_blocks(text: str) -> list[Block]:
    """Every fenced block, with the not-run marker (if any) on the line before it."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if opened is None:
            i += 1
            continue
        marker = _NOT_RUN.match(lines[i - 1]) if i else None
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        code = "\n".join(lines[i + 1 : end]) + "\n"
        blocks.append(Block(i + 1, opened.group(1), code, marker.group(1) if marker else None))
        i = end + 1
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))
PYTHON = [b for b in BLOCKS if b.language == "python"]


def readme_commands() -> tuple[list[str], dict[str, str]]:
    """The README's emulator command and the variables of its ``export`` line."""
    shell = [line.strip() for b in BLOCKS if b.language == "bash" for line in b.code.splitlines()]
    start = next(line for line in shell if line.startswith("python -m wenwen_emulator"))
    export = next(line for line in shell if line.startswith("export WENWEN_"))
    variables = dict(item.split("=", 1) for item in shlex.split(export)[1:])
    return shlex.split(start), variables


def test_the_readme_has_blocks_and_the_emulator_lines() -> None:
    assert len(PYTHON) >= 5
    command, variables = readme_commands()
    assert command[:3] == ["python", "-m", "wenwen_emulator"]
    assert set(variables) == {"WENWEN_BASE_URL", "WENWEN_API_KEY"}
    assert variables["WENWEN_API_KEY"] == "sk-emulator"


def test_not_run_blocks_are_few_and_named() -> None:
    skipped = [b for b in PYTHON if b.not_run is not None]
    unknown = [f"line {b.line}: {b.not_run}" for b in skipped if b.not_run not in NOT_RUN_ALLOWED]
    assert unknown == [], f"not-run tags must be one of {sorted(NOT_RUN_ALLOWED)}"
    assert len(skipped) <= MAX_NOT_RUN, [b.line for b in skipped]


@dataclass(frozen=True)
class RunningEmulator:
    env: dict[str, str]


@pytest.fixture(scope="module")
def readme_emulator() -> Iterator[RunningEmulator]:
    """The emulator started with the README's command (on a free port instead of its fixed
    one, which a parallel run may hold) and the environment of the README's export line."""
    command, variables = readme_commands()
    port_at = command.index("--port") + 1
    fixed_url = variables["WENWEN_BASE_URL"]
    args = [*command[3:port_at], "0", *command[port_at + 1 :]]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("WENWEN_", "OPENAI_"))}
    base_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenwen_emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=base_env,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline().strip()  # printed once it listens
        assert banner.startswith("Wenwen emulator listening on "), banner
        url = banner.rsplit(" ", 1)[1]
        env = {
            **base_env,
            **{k: v.replace(fixed_url, url) for k, v in variables.items()},
            # anything but loopback goes to a closed port, never to the network
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "ALL_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONWARNINGS": "error::DeprecationWarning:__main__",
        }
        yield RunningEmulator(env)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("block", PYTHON, ids=[f"line{b.line}" for b in PYTHON])
def test_readme_python_block_runs(
    block: Block, readme_emulator: RunningEmulator, tmp_path: Path
) -> None:
    if block.not_run is not None:
        pytest.skip(f"README marks it not-run: {block.not_run}")  # counted above
    (tmp_path / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    script = tmp_path / f"readme_line{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,
        env=readme_emulator.env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert result.returncode == 0, (
        f"README.md block at line {block.line} failed:\n{result.stdout}\n{result.stderr}"
    )
