"""The pytest plugin of ``wenwen-ai[emulator]``: test your application offline against the
local Wenwen emulator.

Installed with the extra (entry point ``pytest11``), it adds the fixtures

* ``wenwen_emulator``: the emulator for one test. Its recorded requests, scripts, faults,
  quirks and clock start fresh, and ``WENWEN_BASE_URL`` / ``WENWEN_API_KEY`` point at it for
  the test (restored afterwards), so any client built inside the test talks to it;
* ``wenwen_emulator_session``: the same emulator for the whole session (nothing is reset
  between tests; the variables stay set until the session ends).

Both give a :class:`EmulatorHandle`: ``base_url``, ``api_key``, ``script(...)`` (what the
model answers next, see :mod:`wenwen_emulator.script`), ``inject(fault)``, ``requests`` (a
:class:`~wenwen_emulator.recorded.RequestLog`: ``requests.last.messages``, ``.tools``,
``.model``), ``clock`` and ``reset()``. The server starts once per session on a free port of
127.0.0.1.

Against the real relay: mark a test ``@pytest.mark.wenwen_live`` and run pytest with
``--wenwen-live`` while ``WENWEN_API_KEY`` is set; the fixture then leaves the variables as
they are and points at the relay. A live test that calls ``script``, ``inject`` or ``clock``
is skipped (the relay cannot be scripted); without the key ``--wenwen-live`` is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # nothing of the emulator loads until a fixture is used
    from .clock import EmulatorClock
    from .recorded import RequestLog
    from .server import Emulator

API_KEY_ENV = "WENWEN_API_KEY"
BASE_URL_ENV = "WENWEN_BASE_URL"
RELAY_URL = "https://api.wenwen-ai.com"
LIVE_OPTION = "--wenwen-live"
LIVE_MARKER = "wenwen_live"


class EmulatorHandle:
    """What the fixtures give a test: the running emulator, or the relay in live mode."""

    def __init__(self, emulator: Emulator | None, base_url: str, api_key: str) -> None:
        self._emulator = emulator
        self.base_url = base_url
        """``http://127.0.0.1:<port>`` (no ``/v1``); the relay's URL in live mode."""
        self.api_key = api_key

    @property
    def live(self) -> bool:
        """True when the test runs against the real relay."""
        return self._emulator is None

    @property
    def emulator(self) -> Emulator:
        """The :class:`~wenwen_emulator.Emulator` itself (not in live mode)."""
        if self._emulator is None:
            pytest.skip("this test drives the emulator; it cannot run against the real relay")
        return self._emulator

    def script(self, *steps: Any, model: str | None = None, route: str | None = None) -> None:
        """Queue what the model answers next (see :mod:`wenwen_emulator.script`)."""
        self.emulator.script(*steps, model=model, route=route)

    def inject(self, fault: str, times: int = 1, path: str | None = None) -> None:
        """Queue a fault for the next ``times`` requests (see :mod:`wenwen_emulator.faults`)."""
        self.emulator.inject(fault, times, path)

    @property
    def requests(self) -> RequestLog:
        from .recorded import RequestLog

        return RequestLog(self.emulator.requests)

    @property
    def clock(self) -> EmulatorClock:
        return self.emulator.clock

    def reset(self) -> None:
        """Forget requests, scripts, faults and tasks; rewind the clock."""
        self.emulator.reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        LIVE_OPTION,
        action="store_true",
        default=False,
        help=f"run tests marked {LIVE_MARKER} against the real Wenwen relay ({API_KEY_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{LIVE_MARKER}: with {LIVE_OPTION}, run against the real relay"
    )
    if config.getoption(LIVE_OPTION) and not os.environ.get(API_KEY_ENV):
        raise pytest.UsageError(f"{LIVE_OPTION} needs {API_KEY_ENV} set to a relay key")


_server: Emulator | None = None


def _shared_emulator() -> Emulator:
    """One emulator per test session, started on first use."""
    global _server
    if _server is None:
        from . import require_extra

        require_extra()  # names the [emulator] extra when Starlette or uvicorn is missing
        from .server import Emulator

        _server = Emulator().start()
    return _server


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def _live(request: pytest.FixtureRequest) -> bool:
    marked = request.node.get_closest_marker(LIVE_MARKER) is not None
    return marked and bool(request.config.getoption(LIVE_OPTION))


def _relay_handle() -> EmulatorHandle:
    base_url = os.environ.get(BASE_URL_ENV) or RELAY_URL
    return EmulatorHandle(None, base_url, os.environ[API_KEY_ENV])


@pytest.fixture
def wenwen_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """The emulator for one test: fresh state, ``WENWEN_*`` pointing at it for the test."""
    if _live(request):
        yield _relay_handle()
        return
    emulator = _shared_emulator()
    emulator.reset()
    emulator.quirks.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BASE_URL_ENV, emulator.base_url)
        patch.setenv(API_KEY_ENV, emulator.api_key)
        yield EmulatorHandle(emulator, emulator.base_url, emulator.api_key)
    emulator.reset()


@pytest.fixture(scope="session")
def wenwen_emulator_session(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """The emulator for the whole session (state is shared between tests)."""
    if request.config.getoption(LIVE_OPTION):
        yield _relay_handle()
        return
    emulator = _shared_emulator()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BASE_URL_ENV, emulator.base_url)
        patch.setenv(API_KEY_ENV, emulator.api_key)
        yield EmulatorHandle(emulator, emulator.base_url, emulator.api_key)
