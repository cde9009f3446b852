"""A tiny deterministic tokenizer used for usage accounting and ``max_tokens``.

Words (ASCII letters/digits) count as one token each, every CJK character counts as one
token, and every other non-space character (punctuation, symbols) counts as one token.
The numbers are not those of any real tokenizer; they are stable, which is what tests need.
"""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(
    r"[A-Za-z0-9]+"
    r"|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
    r"|[^\sA-Za-z0-9]"
)

IMAGE_TOKENS = 85
"""Flat prompt cost of one image (or audio/file) part."""


def count_tokens(text: str) -> int:
    """Number of mock tokens in ``text``."""
    return sum(1 for _ in _TOKEN_RE.finditer(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The longest prefix of ``text`` holding at most ``limit`` mock tokens."""
    if limit <= 0:
        return ""
    for i, match in enumerate(_TOKEN_RE.finditer(text), start=1):
        if i == limit:
            return text[: match.end()]
    return text
