"""Fork safety: after ``os.fork`` (gunicorn --preload, Celery prefork, multiprocessing's fork
start method) parent and child each use their own connections. Both sides call concurrently,
many times, and every answer must belong to its own request (the emulator answers with the
sentence of the prompt that names the request's tag)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import Wenwen
from wenwen import AsyncWenwenClient, ChatRequest, Message, WenwenClient

CALLS_PER_SIDE = 15
CHILD_DEADLINE_S = 60  # SIGALRM ends a child that hangs, so the parent's wait is bounded


def _prompt(tag: str) -> tuple[str, str]:
    return f"The ticket {tag} belongs to caller {tag}.", f"Who owns ticket {tag}?"


def _core_sync(emulator: Any) -> Callable[[str], str]:
    client = WenwenClient(api_key=emulator.api_key, base_url=emulator.base_url, timeout=5)

    def ask(tag: str) -> str:
        system, user = _prompt(tag)
        request = ChatRequest(
            model="gpt-4o-mini", messages=[Message.of("system", system), Message.of("user", user)]
        )
        return client.chat(request).text

    return ask


def _langchain(emulator: Any) -> Callable[[str], str]:
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=emulator.api_key, base_url=emulator.base_url, timeout=5
    )

    def ask(tag: str) -> str:
        system, user = _prompt(tag)
        return str(llm.invoke([SystemMessage(system), HumanMessage(user)]).content)

    return ask


def _llama_index(emulator: Any) -> Callable[[str], str]:
    llm = Wenwen(
        model="gpt-4o-mini", api_key=emulator.api_key, base_url=emulator.base_url, timeout=5
    )

    def ask(tag: str) -> str:
        system, user = _prompt(tag)
        messages = [
            ChatMessage(role="system", content=system),
            ChatMessage(role="user", content=user),
        ]
        return str(llm.chat(messages).message.content)

    return ask


def _run_side(ask: Callable[[str], str], side: str) -> list[str]:
    """Problems seen by one side: answers that belong to another request, or errors."""
    problems = []
    for i in range(CALLS_PER_SIDE):
        tag = f"{side}{i}q{os.getpid()}"
        try:
            answer = ask(tag)
        except Exception as exc:  # a stall or a protocol mix-up: both are failures here
            problems.append(f"{tag}: {type(exc).__name__}: {exc}")
            continue
        if tag not in answer or answer.count("q") != 2:
            problems.append(f"{tag}: got {answer!r}")
    return problems


def _fork_and_compare(
    ask: Callable[[str], str], child_setup: Callable[[], None] = lambda: None
) -> None:
    ask("warmup")  # the pool now holds a keep-alive connection
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_end)
            signal.alarm(CHILD_DEADLINE_S)
            child_setup()
            problems = _run_side(ask, "child")
            os.write(write_end, json.dumps(problems).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    parent_problems = _run_side(ask, "parent")
    with os.fdopen(read_end, "rb") as pipe:
        child_report = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed or hung"
    assert parent_problems == []
    assert json.loads(child_report) == []


@pytest.mark.parametrize("make", [_core_sync, _langchain, _llama_index], ids=lambda f: f.__name__)
def test_parent_and_child_keep_their_own_answers(emulator_process: Any, make: Any) -> None:
    _fork_and_compare(make(emulator_process))


def test_async_client_in_a_forked_child(emulator_process: Any) -> None:
    """A core async client warmed up on a loop that stays open, used by a child on its own
    loop while the parent keeps using it on the old one."""
    client = AsyncWenwenClient(
        api_key=emulator_process.api_key, base_url=emulator_process.base_url, timeout=5
    )
    parent_loop = asyncio.new_event_loop()
    child_loop: list[asyncio.AbstractEventLoop] = []

    async def chat(tag: str) -> str:
        system, user = _prompt(tag)
        request = ChatRequest(
            model="gpt-4o-mini", messages=[Message.of("system", system), Message.of("user", user)]
        )
        return (await client.chat(request)).text

    def ask(tag: str) -> str:
        loop = child_loop[0] if child_loop else parent_loop
        return loop.run_until_complete(chat(tag))

    try:
        _fork_and_compare(ask, child_setup=lambda: child_loop.append(asyncio.new_event_loop()))
    finally:
        parent_loop.run_until_complete(client.aclose())
        parent_loop.close()


def test_langchain_async_after_fork(emulator_process: Any) -> None:
    """The adapters' per-loop pools: a loop left open in the parent is never used by a child,
    which gets its own pool on its own loop."""
    llm = ChatWenwen(
        model="gpt-4o-mini",
        api_key=emulator_process.api_key,
        base_url=emulator_process.base_url,
        timeout=5,
    )
    loop = asyncio.new_event_loop()
    child_loop: list[asyncio.AbstractEventLoop] = []

    def ask(tag: str) -> str:
        system, user = _prompt(tag)
        run = (child_loop[0] if child_loop else loop).run_until_complete
        return str(run(llm.ainvoke([SystemMessage(system), HumanMessage(user)])).content)

    try:
        _fork_and_compare(ask, child_setup=lambda: child_loop.append(asyncio.new_event_loop()))
    finally:
        loop.run_until_complete(llm.aclose())
        loop.close()
