"""A local, deterministic Wenwen-compatible API server for demos and tests.

>>> from wenwen.emulator import Emulator
>>> with Emulator() as emu:  # doctest: +SKIP
...     print(emu.base_url, emu.api_key)

It never imports the client code (``wenwen.protocols`` / ``wenwen.types``), so a mapping bug
in the client cannot agree with itself here. See :mod:`wenwen.emulator.faults` for the fault
grammar and :mod:`wenwen.emulator.mock_model` for the mock model's behaviour.
"""

from .app import create_app
from .faults import Fault, FaultSpecError
from .server import Emulator
from .state import EmulatorState, RecordedRequest

__all__ = ["Emulator", "EmulatorState", "Fault", "FaultSpecError", "RecordedRequest", "create_app"]
