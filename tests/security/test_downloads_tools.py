"""The frameworks' image tools fetch result URLs only through the key-less download path: an
image reply whose URL points at another service on the machine (another loopback port, the
metadata address) is refused before anything is sent there, and never becomes an artifact;
the relay's own result URLs and hosts the user allowed keep working."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from langchain_wenwen.tools import WenwenImageGenerationTool
from llama_index_wenwen.tools import WenwenToolSpec
from tests.security._servers import HTML, PNG, HostileServer, Reply, Seen, always, json_reply
from wenwen.errors import DownloadBlockedError, DownloadContentError


def image_relay(url_of: Callable[[str], str]) -> HostileServer:
    """A relay whose image replies point at ``url_of(own origin)``; its files are PNGs."""

    def answer(seen: Seen) -> Reply:
        if seen.path.startswith("/files/"):
            return Reply(200, {"Content-Type": "image/png"}, PNG)
        return json_reply({"created": 1, "data": [{"url": url_of(relay.url)}]})

    relay = HostileServer(answer)
    return relay


def langchain_tool(relay: HostileServer, **fields: Any) -> Callable[[bool], Any]:
    tool = WenwenImageGenerationTool(
        api_key="sk-test", base_url=f"{relay.url}/v1", model="dall-e-3", **fields
    )
    call = {"type": "tool_call", "id": "1", "name": tool.name, "args": {"prompt": "a cat"}}

    def run(use_async: bool) -> Any:
        if use_async:
            return asyncio.run(tool.ainvoke(call)).artifact
        return tool.invoke(call).artifact

    return run


def llama_tool(relay: HostileServer, **fields: Any) -> Callable[[bool], Any]:
    spec = WenwenToolSpec(api_key="sk-test", base_url=f"{relay.url}/v1", **fields)

    def run(use_async: bool) -> Any:
        if use_async:
            return asyncio.run(spec.agenerate_image("a cat"))
        return spec.generate_image("a cat")

    return run


TOOLS = {"langchain": langchain_tool, "llama_index": llama_tool}


@pytest.mark.parametrize("framework", TOOLS)
@pytest.mark.parametrize("use_async", [False, True])
def test_a_url_to_another_local_service_is_refused(framework: str, use_async: bool) -> None:
    with HostileServer(always(Reply(200, {"Content-Type": "image/png"}, PNG))) as internal:
        relay = image_relay(lambda origin: f"{internal.url}/admin/secret.png")
        with relay:
            run = TOOLS[framework](relay)
            with pytest.raises(DownloadBlockedError):
                run(use_async)
    assert internal.requests == []


@pytest.mark.parametrize("framework", TOOLS)
def test_a_url_to_the_metadata_service_is_refused(framework: str) -> None:
    relay = image_relay(lambda origin: "http://169.254.169.254/latest/meta-data/")
    with relay, pytest.raises(DownloadBlockedError):
        TOOLS[framework](relay)(False)


@pytest.mark.parametrize("framework", TOOLS)
def test_html_from_an_allowed_host_is_not_an_image(framework: str) -> None:
    with HostileServer(always(Reply(200, {"Content-Type": "image/png"}, HTML))) as storage:
        relay = image_relay(lambda origin: f"{storage.url}/a.png")
        with relay, pytest.raises(DownloadContentError):
            TOOLS[framework](relay, allow_private_hosts=["127.0.0.1"])(False)


@pytest.mark.parametrize("framework", TOOLS)
@pytest.mark.parametrize("use_async", [False, True])
def test_the_relays_own_files_and_allowed_hosts_still_work(framework: str, use_async: bool) -> None:
    relay = image_relay(lambda origin: f"{origin}/files/a.png")
    with relay:
        result = TOOLS[framework](relay)(use_async)
    assert result  # an artifact / content blocks holding the image
    with HostileServer(always(Reply(200, {"Content-Type": "image/png"}, PNG))) as storage:
        relay = image_relay(lambda origin: f"{storage.url}/a.png")
        with relay:
            assert TOOLS[framework](relay, allow_private_hosts=["127.0.0.1"])(use_async)
    assert len(storage.requests) == 1
