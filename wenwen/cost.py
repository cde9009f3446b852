"""What a call costs, in the relay's own prices: the price table and the billing formula.

Wenwen runs new-api, which bills in *quota* units: ``QUOTA_PER_UNIT`` (500,000) quota is one
US dollar (``common.QuotaPerUnit`` in
https://github.com/QuantumNous/new-api/blob/main/common/constants.go). Its public
``GET /api/pricing`` lists, per model, either token ratios (``quota_type`` 0) or a price per
call in USD (``quota_type`` 1, ``model_price``), plus the ratio of every group the caller may
use (https://github.com/QuantumNous/new-api/blob/main/controller/pricing.go and the
``Pricing`` struct in https://github.com/QuantumNous/new-api/blob/main/model/pricing.go).

The formula (``postConsumeQuota`` in
https://github.com/QuantumNous/new-api/blob/main/relay/compatible_handler.go), computed in
decimals and rounded half away from zero to a whole quota::

    per token:  (prompt - cache_read - cache_write
                 + cache_read * cache_ratio + cache_write * create_cache_ratio
                 + completion * completion_ratio) * model_ratio * group_ratio
                 (at least 1 quota when the ratio is not 0; 0 when no token was used)
    per call:   model_price * QUOTA_PER_UNIT * group_ratio  (per image / per call; a chat
                reply that reports 0 tokens costs 0)

``prompt`` counts every prompt token, cached ones included, and ``completion`` every output
token, reasoning included (new-api bills reasoning as completion): exactly the neutral
``Usage``'s ``input_tokens`` and ``output_tokens``. This module does no I/O.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from .types import Usage

logger = logging.getLogger("wenwen.cost")

QUOTA_PER_UNIT = 500_000
"""Quota units per US dollar in new-api (``common.QuotaPerUnit``)."""
DEFAULT_GROUP = "default"


class ModelPrice(BaseModel):
    """One row of ``GET /api/pricing`` (new-api's ``model.Pricing``)."""

    model_config = ConfigDict(extra="allow")

    model_name: str
    quota_type: int = 0
    """0: billed per token by the ratios; 1: a fixed ``model_price`` (USD) per call."""
    model_ratio: float = 0.0
    completion_ratio: float = 1.0
    model_price: float = 0.0
    cache_ratio: float | None = None
    create_cache_ratio: float | None = None
    image_ratio: float | None = None
    audio_ratio: float | None = None
    audio_completion_ratio: float | None = None
    enable_groups: list[str] = Field(default_factory=list)

    @property
    def per_call(self) -> bool:
        return self.quota_type == 1


class PriceTable(BaseModel):
    """The relay's prices: ``models`` by name, ``group_ratio`` by group. Share one table
    between models (``price_table=``) to avoid fetching it per object."""

    models: dict[str, ModelPrice] = Field(default_factory=dict)
    group_ratio: dict[str, float] = Field(default_factory=dict)
    usable_group: dict[str, str] = Field(default_factory=dict)
    quota_per_unit: float = QUOTA_PER_UNIT
    fetched_at: float | None = None
    """The reading of the client's clock when the table was fetched (``None`` if built)."""

    @classmethod
    def from_pricing(cls, body: Any, *, fetched_at: float | None = None) -> PriceTable:
        """The table from a ``GET /api/pricing`` body (``{"success", "data": [...],
        "group_ratio", "usable_group", ...}``); rows that do not parse are skipped."""
        from .errors import ProtocolError

        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ProtocolError("the pricing reply has no 'data' list (not a new-api relay?)")
        models: dict[str, ModelPrice] = {}
        for row in body["data"]:
            try:
                price = ModelPrice.model_validate(row)
            except ValueError:
                logger.warning("skipping a pricing row that does not parse: %.200r", row)
                continue
            models[price.model_name] = price
        ratios = body.get("group_ratio")
        ratios = ratios if isinstance(ratios, dict) else {}
        usable = body.get("usable_group")
        usable = usable if isinstance(usable, dict) else {}
        return cls(
            models=models,
            group_ratio={str(k): float(v) for k, v in ratios.items() if _is_number(v)},
            usable_group={str(k): str(v) for k, v in usable.items()},
            fetched_at=fetched_at,
        )

    def get(self, model: str) -> ModelPrice | None:
        return self.models.get(model)


class Cost(BaseModel):
    """What one call (or several, in a total) cost: ``quota`` units and the same in
    ``usd`` (``quota / quota_per_unit``)."""

    model: str
    quota: int
    usd: float
    group: str = DEFAULT_GROUP
    group_ratio: float = 1.0
    per_call: bool = False
    calls: int = 1

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dec(value: float | int) -> Decimal:
    # new-api's decimal.NewFromFloat: the float's shortest decimal form
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)


def to_usd(quota: int, quota_per_unit: float = QUOTA_PER_UNIT) -> float:
    return quota / quota_per_unit


def why_no_cost(model: str, table: PriceTable | None, group: str = DEFAULT_GROUP) -> str | None:
    """Why ``model`` cannot be priced from ``table`` in ``group`` (``None``: it can)."""
    if table is None:
        return "no price table (the relay does not serve GET /api/pricing)"
    price = table.get(model)
    if price is None:
        return f"model {model!r} is not in the relay's price table"
    if group not in table.group_ratio:
        return f"group {group!r} is not among the relay's groups {sorted(table.group_ratio)}"
    groups = price.enable_groups
    if groups and "all" not in groups and group not in groups:
        return f"model {model!r} is not enabled for group {group!r} (only {groups})"
    return None


def token_quota(usage: Usage, price: ModelPrice, group_ratio: float) -> int:
    """new-api's per-token quota for ``usage`` (see the module docstring)."""
    prompt, completion = usage.input_tokens, usage.output_tokens
    if prompt + completion == 0:
        return 0
    read, write = usage.cache_read_tokens, usage.cache_creation_tokens
    base = Decimal(prompt)
    if read:
        base += _dec(read) * _dec(price.cache_ratio if price.cache_ratio is not None else 1.0)
        base -= read
    if write:
        write_ratio = price.create_cache_ratio if price.create_cache_ratio is not None else 1.0
        base += _dec(write) * _dec(write_ratio) - write
    ratio = _dec(price.model_ratio) * _dec(group_ratio)
    total = (base + Decimal(completion) * _dec(price.completion_ratio)) * ratio
    quota = int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return 1 if ratio != 0 and quota <= 0 else quota


def call_quota(price: ModelPrice, group_ratio: float, calls: int = 1) -> int:
    """new-api's quota for ``calls`` calls (or images) of a per-call model."""
    one = _dec(price.model_price) * QUOTA_PER_UNIT * _dec(group_ratio)
    return int((one * calls).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price(
    usage: Usage | None,
    model: str,
    table: PriceTable | None,
    *,
    group: str = DEFAULT_GROUP,
    calls: int = 1,
) -> Cost | None:
    """The cost of one reply of ``model`` with ``usage`` (per-call models: of ``calls``
    calls or images), or ``None`` with the reason logged when it cannot be known."""
    reason = why_no_cost(model, table, group)
    if reason is None and table is not None:
        row = table.models[model]
        ratio = table.group_ratio[group]
        if row.per_call:
            # new-api charges nothing for a chat reply that used no token at all
            chat_without_tokens = (
                usage is not None and usage.input_tokens + usage.output_tokens == 0
            )
            quota = 0 if chat_without_tokens else call_quota(row, ratio, calls)
        elif usage is None:
            reason = f"the reply of {model!r} carries no token usage"
        else:
            quota = token_quota(usage, row, ratio)
        if reason is None:
            return Cost(
                model=model,
                quota=quota,
                usd=to_usd(quota, table.quota_per_unit),
                group=group,
                group_ratio=ratio,
                per_call=row.per_call,
                calls=calls if row.per_call else 1,
            )
    logger.info("no cost for this %s call: %s", model, reason)
    return None


__all__ = [
    "DEFAULT_GROUP",
    "QUOTA_PER_UNIT",
    "Cost",
    "ModelPrice",
    "PriceTable",
    "call_quota",
    "price",
    "to_usd",
    "token_quota",
    "why_no_cost",
]
