"""Deprecated alias of :mod:`wenwen_emulator`, kept for one release.

``from wenwen.emulator import Emulator`` and ``python -m wenwen.emulator`` still work and warn;
import :mod:`wenwen_emulator` instead.
"""

from __future__ import annotations

import warnings

import wenwen_emulator as _target
from wenwen_emulator import *  # noqa: F403

warnings.warn(
    "wenwen.emulator moved to wenwen_emulator; import that instead",
    DeprecationWarning,
    stacklevel=2,
)

# submodules (``wenwen.emulator.offline``) resolve to the files of wenwen_emulator
__path__ = list(_target.__path__)


def __getattr__(name: str) -> object:
    return getattr(_target, name)
