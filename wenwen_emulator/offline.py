"""Run examples and demos against the real relay when a key is set, else the local emulator."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from wenwen._settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL


@contextmanager
def emulator_unless_key(*, quiet: bool = False) -> Iterator[tuple[str, str]]:
    """Yield ``(base_url, api_key)``: ``WENWEN_API_KEY`` (and ``WENWEN_BASE_URL``) when the key
    is set; otherwise a local emulator started for the duration of the block, saying so."""
    key = os.environ.get(API_KEY_ENV)
    if key:
        base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        if not quiet:
            print(f"Using the Wenwen API at {base_url} ({API_KEY_ENV} is set).", file=sys.stderr)
        yield base_url, key
        return
    from . import Emulator

    with Emulator() as emulator:
        if not quiet:
            print(
                f"No {API_KEY_ENV} set: using the local Wenwen emulator at {emulator.base_url} "
                "(deterministic mock answers).",
                file=sys.stderr,
            )
        yield emulator.base_url, emulator.api_key
