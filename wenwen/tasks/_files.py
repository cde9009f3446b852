"""Writing a task's result to disk: the relay's own content route (with the key) streamed to a
temporary file and moved into place; third-party result URLs go through the one key-less
download path (``wenwen.media.download``)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from ..errors import ConfigurationError, ProtocolError

MAX_BYTES = 2 * 1024**3  # 2 GiB: a video larger than this is not what a relay serves


def target_path(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    if target.is_dir():
        raise ConfigurationError(f"download target {target} is a directory; name a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _partial(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _too_big(total: int) -> ProtocolError:
    return ProtocolError(f"download exceeds {MAX_BYTES} bytes; refusing to write more")


def stream_to_file(response: httpx.Response, path: str | os.PathLike[str]) -> Path:
    target = target_path(path)
    partial = _partial(target)
    total = 0
    try:
        with partial.open("wb") as out:
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > MAX_BYTES:
                    raise _too_big(total)
                out.write(chunk)
        partial.replace(target)
    finally:
        response.close()
        partial.unlink(missing_ok=True)
    return target


async def astream_to_file(response: httpx.Response, path: str | os.PathLike[str]) -> Path:
    target = target_path(path)
    partial = _partial(target)
    total = 0
    try:
        with partial.open("wb") as out:
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > MAX_BYTES:
                    raise _too_big(total)
                out.write(chunk)
        partial.replace(target)
    finally:
        await response.aclose()
        partial.unlink(missing_ok=True)
    return target
