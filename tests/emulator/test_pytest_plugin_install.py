"""The pytest plugin as users get it: registered by the ``pytest11`` entry point, loaded in a
fresh pytest process, the environment restored after each test, the live switch refusing to
run without a key; and the client importing none of it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import wenwen_emulator.pytest_plugin as plugin

REPO = Path(__file__).resolve().parents[2]
USER_TESTS = """
import os

import httpx
import pytest

from wenwen_emulator.script import call


def test_first(wenwen_emulator):
    assert os.environ["WENWEN_BASE_URL"] == wenwen_emulator.base_url
    wenwen_emulator.script(call("search", q="x"))
    reply = httpx.post(
        os.environ["WENWEN_BASE_URL"] + "/v1/chat/completions",
        headers={"Authorization": "Bearer " + os.environ["WENWEN_API_KEY"]},
        json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert reply.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "search"
    assert wenwen_emulator.requests.last_model() == "gpt-4o"


def test_outside_the_fixture_the_environment_is_restored():
    assert "WENWEN_BASE_URL" not in os.environ


def test_session_variant_first(wenwen_emulator_session):
    assert len(wenwen_emulator_session.requests) == 0  # the function variant cleaned up
    httpx.get(os.environ["WENWEN_BASE_URL"] + "/v1/models",
              headers={"Authorization": "Bearer " + os.environ["WENWEN_API_KEY"]})


def test_session_variant_keeps_state(wenwen_emulator_session):
    assert len(wenwen_emulator_session.requests) == 1


@pytest.mark.wenwen_live
def test_live(wenwen_emulator):
    assert wenwen_emulator.live == ("--wenwen-live" in os.environ.get("EXPECT_LIVE", ""))
    wenwen_emulator.script("only the emulator can do this")
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return {**env, **extra}


def _run(pytester: pytest.Pytester, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    pytester.makepyfile(test_user=USER_TESTS)
    command = [sys.executable, "-m", "pytest", "-p", "wenwen_emulator.pytest_plugin", "-q"]
    return subprocess.run(
        [*command, "-p", "no:cacheprovider", *args],
        cwd=pytester.path,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_user_suite_runs_with_the_plugin(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "-p", "no:randomly")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


def test_live_mode_points_at_the_relay_and_skips_scripts(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "--wenwen-live",
        "-k",
        "live",
        "-rs",
        WENWEN_API_KEY="sk-live",
        EXPECT_LIVE="--wenwen-live",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "cannot run against the real relay" in result.stdout


def test_live_mode_without_a_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "--wenwen-live")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "WENWEN_API_KEY" in result.stderr


def test_the_entry_point_names_the_plugin_module() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entry_points = project["entry-points"]["pytest11"]
    assert entry_points == {plugin.__name__: plugin.__name__}
    assert "starlette" in " ".join(project["optional-dependencies"]["emulator"])


def test_the_client_imports_no_emulator_module() -> None:
    code = (
        "import sys, wenwen, wenwen.protocols, wenwen.media, wenwen.tasks, "
        "langchain_wenwen, llama_index_wenwen\n"
        "print(sorted(m for m in sys.modules if m.startswith('wenwen_emulator')"
        " or m in ('starlette', 'uvicorn')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
