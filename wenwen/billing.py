"""The relay's prices, this key's quota and billing, and the cost of each call.

Endpoints (new-api; shapes from its source):

- ``GET /api/pricing`` (public): the price table, see ``wenwen.cost``
  (https://github.com/QuantumNous/new-api/blob/main/controller/pricing.go).
- ``GET /api/usage/token/`` (the key): ``{"code": true, "message": "ok", "data": {"object":
  "token_usage", "name", "total_granted", "total_used", "total_available",
  "unlimited_quota", "model_limits", "model_limits_enabled", "expires_at"}}`` in quota
  units, ``expires_at`` 0 for never (``GetTokenUsage`` in
  https://github.com/QuantumNous/new-api/blob/main/controller/token.go).
- ``GET /dashboard/billing/subscription`` and ``GET /dashboard/billing/usage`` (the key;
  OpenAI's old shapes in USD: ``hard_limit_usd`` is granted quota, ``total_usage`` is USD
  cents; https://github.com/QuantumNous/new-api/blob/main/controller/billing.go).

``CostMeter`` (``client.costs``) decides whether replies carry a cost: when asked to
(``track_cost=True`` or a ``PriceTable`` of your own) or while a ``UsageTracker`` is active.
Otherwise it makes no request at all. A relay without ``/api/pricing`` (not new-api) gives
``cost=None`` and a logged reason; nothing else changes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from ._http.streams import AsyncChatStream, ChatStream
from .cost import DEFAULT_GROUP, QUOTA_PER_UNIT, Cost, PriceTable, price, to_usd
from .errors import BudgetExceededError, ProtocolError, WenwenError
from .usage import UsageTracker, active_trackers

if TYPE_CHECKING:
    from .types import ChatResponse, StreamEvent, Usage

logger = logging.getLogger("wenwen.billing")


class WenwenClient(Protocol):
    """What this module needs from a ``wenwen.WenwenClient`` (typed here, not imported: the
    resources that meter their calls never import a client)."""

    @property
    def costs(self) -> CostMeter: ...

    def quota(self) -> Quota: ...

    def pricing(self, *, refresh: bool = False) -> PriceTable: ...

    def request_json(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any: ...


class AsyncWenwenClient(Protocol):
    """What this module needs from a ``wenwen.AsyncWenwenClient``."""

    @property
    def costs(self) -> CostMeter: ...

    async def quota(self) -> Quota: ...

    async def pricing(self, *, refresh: bool = False) -> PriceTable: ...

    async def request_json(
        self, method: str, path: str, json: dict[str, Any] | None = None
    ) -> Any: ...


PRICING_PATH = "/api/pricing"
TOKEN_USAGE_PATH = "/api/usage/token/"
SUBSCRIPTION_PATH = "/dashboard/billing/subscription"
USAGE_PATH = "/dashboard/billing/usage"
DEFAULT_PRICING_TTL = 600.0
UNLIMITED_USD = 100_000_000
"""new-api's ``hard_limit_usd`` for a key with unlimited quota."""


class Quota(BaseModel):
    """This key's quota (``GET /api/usage/token/``), in quota units and USD."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    total_granted: int = 0
    total_used: int = 0
    total_available: int = 0
    unlimited_quota: bool = False
    expires_at: datetime | None = None
    """``None``: the key never expires."""
    model_limits: dict[str, Any] = Field(default_factory=dict)
    model_limits_enabled: bool = False
    quota_per_unit: float = QUOTA_PER_UNIT

    @property
    def granted_usd(self) -> float:
        return to_usd(self.total_granted, self.quota_per_unit)

    @property
    def used_usd(self) -> float:
        return to_usd(self.total_used, self.quota_per_unit)

    @property
    def available_usd(self) -> float | None:
        """The balance left in USD (``None`` for an unlimited key)."""
        if self.unlimited_quota:
            return None
        return to_usd(self.total_available, self.quota_per_unit)


class Subscription(BaseModel):
    """``GET /dashboard/billing/subscription`` (USD)."""

    model_config = ConfigDict(extra="allow")

    object: str = "billing_subscription"
    has_payment_method: bool = False
    soft_limit_usd: float = 0.0
    hard_limit_usd: float = 0.0
    system_hard_limit_usd: float = 0.0
    access_until: int = 0

    @property
    def unlimited(self) -> bool:
        return self.hard_limit_usd >= UNLIMITED_USD


class BillingUsage(BaseModel):
    """``GET /dashboard/billing/usage``: ``total_usage`` in USD cents (new-api reports the
    key's whole usage, whatever the dates)."""

    model_config = ConfigDict(extra="allow")

    object: str = "list"
    total_usage: float = 0.0

    @property
    def total_usd(self) -> float:
        return self.total_usage / 100


def parse_quota(body: Any) -> Quota:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or body.get("code") is not True:
        message = body.get("message") if isinstance(body, dict) else None
        raise ProtocolError(f"the token usage reply is not new-api's: {message or body!r:.200}")
    fields = dict(data)
    expires = fields.pop("expires_at", 0)
    when = None
    if isinstance(expires, int | float) and expires > 0:
        when = datetime.fromtimestamp(expires, tz=UTC)
    return Quota.model_validate({**fields, "expires_at": when})


def _parse(model: type[BaseModel], body: Any, what: str) -> Any:
    if not isinstance(body, dict):
        raise ProtocolError(f"the {what} reply is not a JSON object: {body!r:.200}")
    try:
        return model.model_validate(body)
    except ValueError as exc:
        raise ProtocolError(f"the {what} reply does not parse: {exc}") from None


def _day(value: date | str | None) -> str | None:
    return value.isoformat()[:10] if isinstance(value, date) else value


def usage_path(start: date | str | None, end: date | str | None) -> str:
    query = {k: v for k, v in (("start_date", _day(start)), ("end_date", _day(end))) if v}
    return f"{USAGE_PATH}?{urlencode(query)}" if query else USAGE_PATH


# -- the client's public request API: ``request_json`` (kept to this one call-site so the
# -- resources move to the client's ``request`` method unchanged in behaviour)


class Billing:
    """``client.billing``: the OpenAI-compatible dashboard endpoints."""

    def __init__(self, client: WenwenClient) -> None:
        self._client = client

    def subscription(self) -> Subscription:
        body = self._client.request_json("GET", SUBSCRIPTION_PATH)
        return _parse(Subscription, body, "billing subscription")

    def usage(self, start: date | str | None = None, end: date | str | None = None) -> BillingUsage:
        body = self._client.request_json("GET", usage_path(start, end))
        return _parse(BillingUsage, body, "billing usage")


class AsyncBilling:
    def __init__(self, client: AsyncWenwenClient) -> None:
        self._client = client

    async def subscription(self) -> Subscription:
        body = await self._client.request_json("GET", SUBSCRIPTION_PATH)
        return _parse(Subscription, body, "billing subscription")

    async def usage(
        self, start: date | str | None = None, end: date | str | None = None
    ) -> BillingUsage:
        body = await self._client.request_json("GET", usage_path(start, end))
        return _parse(BillingUsage, body, "billing usage")


class CostMeter:
    """A client's cost settings and its cached price table (``client.costs``).

    ``configure(track_cost=True)`` makes every reply carry ``cost`` (the table is fetched on
    first use and again after ``ttl`` seconds); ``configure(price_table=table)`` uses your
    table as is (no request); ``group`` is the relay group your key bills in."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.track_cost = False
        self.price_table: PriceTable | None = None
        self.group = DEFAULT_GROUP
        self.ttl = DEFAULT_PRICING_TTL
        self.clock = clock
        self._cached: PriceTable | None = None
        self._unavailable_until: float | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]  # a pickled client (a worker's copy) gets a fresh lock
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def configure(
        self,
        *,
        track_cost: bool | None = None,
        price_table: PriceTable | None = None,
        group: str | None = None,
        ttl: float | None = None,
    ) -> CostMeter:
        if track_cost is not None:
            self.track_cost = track_cost
        if price_table is not None:
            self.price_table = price_table
        if group is not None:
            self.group = group
        if ttl is not None:
            self.ttl = ttl
        return self

    @property
    def requested(self) -> bool:
        return self.track_cost or self.price_table is not None

    def fresh(self) -> PriceTable | None:
        """The cached table if younger than ``ttl``."""
        with self._lock:
            table = self._cached
            if table is None or table.fetched_at is None:
                return None
            return table if self.clock() - table.fetched_at < self.ttl else None

    def store(self, body: Any) -> PriceTable:
        table = PriceTable.from_pricing(body, fetched_at=self.clock())
        with self._lock:
            self._cached, self._unavailable_until = table, None
        return table

    def table_for_cost(self) -> tuple[PriceTable | None, bool]:
        """``(table, must_fetch)``: the table to price with, or whether to fetch one."""
        if self.price_table is not None:
            return self.price_table, False
        table = self.fresh()
        if table is not None:
            return table, False
        with self._lock:
            blocked = self._unavailable_until is not None and self.clock() < self._unavailable_until
        return None, not blocked

    def unavailable(self, error: Exception) -> None:
        """The pricing endpoint failed: no costs (logged) until ``ttl`` passes."""
        with self._lock:
            self._unavailable_until = self.clock() + self.ttl
        logger.warning(
            "costs are unknown: the relay's %s failed (%s: %s); replies carry cost=None",
            PRICING_PATH, type(error).__name__, error,
        )  # fmt: skip


class Call:
    """One metered operation: prices its replies and tells the active trackers."""

    def __init__(
        self, trackers: tuple[UsageTracker, ...], table: PriceTable | None, group: str
    ) -> None:
        self.trackers = trackers
        self.table = table
        self.group = group
        self.costs: list[Cost | None] = []

    def end(self, model: str, usage: Usage | None, *, calls: int = 1) -> Cost | None:
        """The cost of one reply (``None`` when unknown: the reason is logged)."""
        cost = price(usage, model, self.table, group=self.group, calls=calls)
        self.costs.append(cost)
        for tracker in self.trackers:
            tracker.record(model, usage, cost)
        return cost

    def fail(self) -> None:
        for tracker in self.trackers:
            tracker.record_error()

    def total(self) -> Cost | None:
        """The sum of this operation's replies (``None`` if any is unknown)."""
        known = [c for c in self.costs if c is not None]
        if not known or len(known) != len(self.costs):
            return None
        quota = sum(c.quota for c in known)
        first = known[0]
        unit = self.table.quota_per_unit if self.table else QUOTA_PER_UNIT
        return first.model_copy(update={"quota": quota, "usd": to_usd(quota, unit),
                                         "calls": sum(c.calls for c in known)})  # fmt: skip


def _quota_spec_failed(error: Exception, trackers: list[UsageTracker]) -> None:
    logger.warning("min_balance: the relay's balance is unknown (%s); calls go on", error)
    for tracker in trackers:
        tracker.note_balance(None)


def _metered(client: object) -> Any:
    """``client`` when it can be metered (a ``WenwenClient`` or ``AsyncWenwenClient``; the
    resources hold them as request clients), else ``None``."""
    return client if hasattr(client, "costs") else None


def begin(target: object) -> Call | None:
    """Before a request: budgets checked (``BudgetExceededError``), the balance read when a
    ``min_balance`` guard is due, the price table fetched when costs are wanted."""
    client: WenwenClient | None = _metered(target)
    trackers = active_trackers()
    if client is None:
        _check(trackers)
        return Call(trackers, None, DEFAULT_GROUP) if trackers else None
    meter = client.costs
    if not trackers and not meter.requested:
        return None
    _check(trackers)
    due = [t for t in trackers if t.balance_due()]
    if due:
        try:
            balance = client.quota().available_usd
        except WenwenError as error:
            _quota_spec_failed(error, due)
        else:
            _note(due, balance)
    table, must_fetch = meter.table_for_cost()
    if must_fetch:
        try:
            table = client.pricing()
        except WenwenError as error:
            meter.unavailable(error)
    return Call(trackers, table, meter.group)


async def abegin(target: object) -> Call | None:
    """``begin`` for the async client."""
    client: AsyncWenwenClient | None = _metered(target)
    trackers = active_trackers()
    if client is None:
        _check(trackers)
        return Call(trackers, None, DEFAULT_GROUP) if trackers else None
    meter = client.costs
    if not trackers and not meter.requested:
        return None
    _check(trackers)
    due = [t for t in trackers if t.balance_due()]
    if due:
        try:
            balance = (await client.quota()).available_usd
        except WenwenError as error:
            _quota_spec_failed(error, due)
        else:
            _note(due, balance)
    table, must_fetch = meter.table_for_cost()
    if must_fetch:
        try:
            table = await client.pricing()
        except WenwenError as error:
            meter.unavailable(error)
    return Call(trackers, table, meter.group)


def _check(trackers: tuple[UsageTracker, ...]) -> None:
    for tracker in trackers:
        tracker.check_budget()


def _note(trackers: list[UsageTracker], balance: float | None) -> None:
    for tracker in trackers:
        tracker.note_balance(balance)
    for tracker in trackers:
        tracker.check_budget()


def quota(client: WenwenClient) -> Quota:
    return parse_quota(client.request_json("GET", TOKEN_USAGE_PATH))


async def aquota(client: AsyncWenwenClient) -> Quota:
    return parse_quota(await client.request_json("GET", TOKEN_USAGE_PATH))


def pricing(client: WenwenClient, refresh: bool) -> PriceTable:
    table = None if refresh else client.costs.fresh()
    return table or client.costs.store(client.request_json("GET", PRICING_PATH))


async def apricing(client: AsyncWenwenClient, refresh: bool) -> PriceTable:
    table = None if refresh else client.costs.fresh()
    return table or client.costs.store(await client.request_json("GET", PRICING_PATH))


def set_up(
    client: WenwenClient | AsyncWenwenClient,
    *,
    track_cost: bool = False,
    price_table: PriceTable | None = None,
    group: str | None = None,
) -> None:
    """Apply a framework object's cost fields to its client (idempotent, no I/O)."""
    client.costs.configure(track_cost=track_cost or None, price_table=price_table, group=group)


def cost_requested(track_cost: bool, price_table: PriceTable | None) -> bool:
    """Whether replies should say what they cost (``None`` when unknown)."""
    return track_cost or price_table is not None or bool(active_trackers())


class PricedChatStream(ChatStream):
    """A ``ChatStream`` whose ``response()`` carries the reply's cost once it has ended: the
    budgets are checked before its request, the cost computed before iteration ends."""

    def __init__(self, *args: Any, meter: tuple[WenwenClient, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._meter_client, self._model = meter
        self._cost: Cost | None = None

    def __iter__(self) -> Iterator[StreamEvent]:
        call = begin(self._meter_client)
        yield from super().__iter__()
        if call is not None:
            self._cost = call.end(self._model, super().response().usage)

    def response(self) -> ChatResponse:
        return _with_cost(super().response(), self._cost)


class PricedAsyncChatStream(AsyncChatStream):
    """The async twin of ``PricedChatStream``."""

    def __init__(self, *args: Any, meter: tuple[AsyncWenwenClient, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._meter_client, self._model = meter
        self._cost: Cost | None = None

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        call = await abegin(self._meter_client)
        async for event in super().__aiter__():
            yield event
        if call is not None:
            self._cost = call.end(self._model, super().response().usage)

    def response(self) -> ChatResponse:
        return _with_cost(super().response(), self._cost)


def _with_cost(reply: ChatResponse, cost: Cost | None) -> ChatResponse:
    if cost is not None:
        reply.cost = cost
    return reply


_METER_LOCK = threading.Lock()


def meter_of(client: object) -> CostMeter:
    """The client's ``CostMeter``, made on first use."""
    meter = client.__dict__.get("_cost_meter")
    if meter is not None:
        return meter
    with _METER_LOCK:
        meter = client.__dict__.get("_cost_meter")
        if meter is None:
            meter = client.__dict__["_cost_meter"] = CostMeter()
        return meter


__all__ = [
    "AsyncBilling",
    "Billing",
    "BillingUsage",
    "BudgetExceededError",
    "Call",
    "CostMeter",
    "PricedAsyncChatStream",
    "PricedChatStream",
    "Quota",
    "Subscription",
    "abegin",
    "apricing",
    "aquota",
    "begin",
    "cost_requested",
    "meter_of",
    "parse_quota",
    "pricing",
    "quota",
    "set_up",
]
