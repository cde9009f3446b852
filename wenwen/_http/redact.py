"""Keeping an API key that travels in a URL (Gemini's ``?key=``) out of logs and errors.

``with_query_key`` adds the key to a URL and, the first time, installs a logging filter on
the ``httpx`` and ``httpcore`` loggers (httpx logs every request URL at INFO level) that
masks ``key=`` query values. ``redact_url_keys`` masks them in any text (error messages).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

_KEY_IN_URL = re.compile(r"([?&](?:key|api_key|x-goog-api-key)=)[^&#\s'\")]+", re.IGNORECASE)
MASK = "***"
_installed = False


def redact_url_keys(text: str) -> str:
    """``text`` with every ``key=`` query value masked."""
    return _KEY_IN_URL.sub(rf"\g<1>{MASK}", text)


class KeyRedactingFilter(logging.Filter):
    """Masks URL keys in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact_url_keys(str(a)) if "=" in str(a) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = redact_url_keys(record.msg)
        return True


def install_log_filter() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    for name in ("httpx", "httpcore", "wenwen"):
        logging.getLogger(name).addFilter(KeyRedactingFilter())


def with_query_key(url: str, param: str, key: str) -> str:
    """``url`` with ``param=key`` appended (and URL-key redaction switched on in logs)."""
    install_log_filter()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{quote(param)}={quote(key, safe='')}"
