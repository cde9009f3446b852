"""The emulator's prices and balances, billed the way new-api bills.

Every catalogued model has a price: chat and embedding models per token (``quota_type`` 0:
``model_ratio``, ``completion_ratio`` and, for models with prompt caching, ``cache_ratio`` /
``create_cache_ratio``), image, video and audio models per call (``quota_type`` 1:
``model_price`` USD per call or per image). The ratios are new-api's defaults for the models
it ships with; the per-call prices are the vendors' list prices. Two groups bill at different ratios
(``default`` 1.0, ``vip`` 0.8). Each key has an account (a balance in quota units, 500,000 to
the dollar) that every billed reply decreases by new-api's formula, applied to the usage the
reply reports (``postConsumeQuota`` in
https://github.com/QuantumNous/new-api/blob/main/relay/compatible_handler.go): rounded half
away from zero, at least 1 quota for a reply that used tokens, nothing for one that used
none. A key whose balance is spent gets ``403 insufficient_user_quota``.

This is written apart from the client's ``wenwen.cost`` on purpose: the two must agree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .models import CATALOGUE, ModelInfo

QUOTA_PER_UNIT = 500_000
GROUP_RATIOS: dict[str, float] = {"default": 1.0, "vip": 0.8}
GROUP_NAMES: dict[str, str] = {"default": "默认分组", "vip": "VIP 分组"}
DEFAULT_BALANCE_USD = 100.0


@dataclass(frozen=True)
class Price:
    per_call: bool = False
    model_ratio: float = 1.0
    completion_ratio: float = 1.0
    model_price: float = 0.0
    cache_ratio: float | None = None
    create_cache_ratio: float | None = None


def _tokens(ratio: float, completion: float, cache: float | None = None,
            create: float | None = None) -> Price:  # fmt: skip
    return Price(False, ratio, completion, 0.0, cache, create)


def _call(usd: float) -> Price:
    return Price(True, 0.0, 0.0, usd)


_CLAUDE_CACHE = {"cache": 0.1, "create": 1.25}
# new-api's default ratios (USD per million tokens / 2) for the models it ships with
_PRICES: dict[str, Price] = {
    "gpt-4o": _tokens(1.25, 4, 0.5),
    "gpt-4o-mini": _tokens(0.075, 4, 0.5),
    "gpt-4o-2024-08-06": _tokens(1.25, 4, 0.5),
    "gpt-3.5-turbo": _tokens(0.25, 3),
    "gpt-4.1": _tokens(1.0, 4, 0.25),
    "gpt-4.1-mini": _tokens(0.2, 4, 0.25),
    "gpt-4.1-nano": _tokens(0.05, 4, 0.25),
    "gpt-5": _tokens(0.625, 8, 0.1),
    "gpt-5-mini": _tokens(0.125, 8, 0.1),
    "gpt-5-nano": _tokens(0.025, 8, 0.1),
    "o1": _tokens(7.5, 4, 0.5),
    "o3": _tokens(1.0, 4, 0.25),
    "o3-mini": _tokens(0.55, 4, 0.5),
    "o4-mini": _tokens(0.55, 4, 0.25),
    "o1-pro": _tokens(75, 4),
    "o3-pro": _tokens(10, 4),
    "gpt-5-pro": _tokens(7.5, 8),
    "codex-mini-latest": _tokens(0.75, 4, 0.25),
    "gpt-4o-audio-preview": _tokens(1.25, 4),
    "claude-3-5-haiku-20241022": _tokens(0.4, 5, **_CLAUDE_CACHE),
    "claude-opus-4-20250514": _tokens(7.5, 5, **_CLAUDE_CACHE),
    "claude-opus-4-1-20250805": _tokens(7.5, 5, **_CLAUDE_CACHE),
    "claude-opus-4-1-20250805-thinking": _tokens(7.5, 5, **_CLAUDE_CACHE),
    "claude-haiku-4-5-20251001": _tokens(0.5, 5, **_CLAUDE_CACHE),
    "gemini-2.5-flash": _tokens(0.15, 8.3333, 0.25),
    "gemini-2.5-pro": _tokens(0.625, 8, 0.25),
    "gemini-2.5-flash-lite": _tokens(0.05, 4, 0.25),
    "gemini-2.5-flash-image-preview": _tokens(0.15, 8.3333),
    "gemini-2.5-flash-image": _tokens(0.15, 8.3333),
    "deepseek-chat": _tokens(0.135, 4, 0.1),
    "deepseek-reasoner": _tokens(0.275, 4, 0.1),
    "deepseek-v3.1": _tokens(0.28, 3, 0.1),
    "deepseek-v3.1-thinking": _tokens(0.28, 3, 0.1),
    "qwen3-235b-a22b": _tokens(0.35, 4),
    "qwen3-235b-a22b-thinking": _tokens(0.35, 10),
    "text-embedding-3-small": _tokens(0.01, 1),
    "text-embedding-3-large": _tokens(0.065, 1),
    "text-embedding-ada-002": _tokens(0.05, 1),
    "gpt-4o-image": _call(0.04),
    "sora_image": _call(0.04),
    "sora_video2": _call(0.5),
    "veo3": _call(2.0),
    "veo3-fast": _call(0.8),
    "dall-e-3": _call(0.04),
    "dall-e-2": _call(0.02),
    "gpt-image-1": _call(0.042),
    "whisper-1": _call(0.006),
    "gpt-4o-transcribe": _call(0.006),
    "gpt-4o-mini-transcribe": _call(0.003),
    "tts-1": _call(0.015),
    "tts-1-hd": _call(0.03),
    "gpt-4o-mini-tts": _call(0.015),
}
_DEFAULT_TOKEN_PRICE = _tokens(1.0, 1.0)
_DEFAULT_CALL_PRICE = _call(0.01)


def price_of(info: ModelInfo) -> Price:
    """A catalogued model's price; Claude Sonnet models share one; others (user-added)
    get ratio 1 per token, or $0.01 per call for media kinds."""
    if info.id in _PRICES:
        return _PRICES[info.id]
    if info.id.startswith("claude") and "sonnet" in info.id:
        return _tokens(1.5, 5, **_CLAUDE_CACHE)
    return _DEFAULT_TOKEN_PRICE if info.kind in ("chat", "embedding") else _DEFAULT_CALL_PRICE


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


@dataclass(frozen=True)
class Tokens:
    """What a reply reports, the way new-api reads it: ``prompt`` counts cached tokens."""

    prompt: int = 0
    completion: int = 0
    cache_read: int = 0
    cache_write: int = 0


def quota_for(price: Price, group_ratio: float, tokens: Tokens | None, calls: int = 1) -> int:
    """new-api's quota for one reply (``tokens`` None: a per-call route with no usage)."""
    whole = Decimal(1)
    if price.per_call:
        if tokens is not None and tokens.prompt + tokens.completion == 0:
            return 0
        amount = _dec(price.model_price) * QUOTA_PER_UNIT * _dec(group_ratio) * calls
        return int(amount.quantize(whole, rounding=ROUND_HALF_UP))
    if tokens is None or tokens.prompt + tokens.completion == 0:
        return 0
    read_ratio = 1.0 if price.cache_ratio is None else price.cache_ratio
    write_ratio = 1.0 if price.create_cache_ratio is None else price.create_cache_ratio
    prompt = Decimal(tokens.prompt - tokens.cache_read - tokens.cache_write)
    prompt += Decimal(tokens.cache_read) * _dec(read_ratio)
    prompt += Decimal(tokens.cache_write) * _dec(write_ratio)
    ratio = _dec(price.model_ratio) * _dec(group_ratio)
    amount = (prompt + Decimal(tokens.completion) * _dec(price.completion_ratio)) * ratio
    quota = int(amount.quantize(whole, rounding=ROUND_HALF_UP))
    return 1 if ratio != 0 and quota <= 0 else quota


@dataclass
class Account:
    """One key's balance (new-api's token: ``remain_quota`` / ``used_quota``)."""

    group: str = "default"
    remain: int = int(DEFAULT_BALANCE_USD * QUOTA_PER_UNIT)
    used: int = 0
    unlimited: bool = False
    name: str = "emulator"
    history: list[tuple[str, int]] = field(default_factory=list)
    """``(model, quota)`` of every billed reply, oldest first."""


class BillingBook:
    """The accounts of every key, thread-safe. ``emu.billing`` in tests."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._groups: dict[str, str] = {}
        self._balances: dict[str, int] = {}
        self._unlimited: set[str] = set()
        self._lock = threading.Lock()

    def _account(self, key: str) -> Account:
        account = self._accounts.get(key)
        if account is None:
            account = Account(group=self._groups.get(key, "default"))
            account.remain = self._balances.get(key, account.remain)
            account.unlimited = key in self._unlimited
            self._accounts[key] = account
        return account

    def account(self, key: str) -> Account:
        """A copy of ``key``'s account."""
        with self._lock:
            a = self._account(key)
            return Account(a.group, a.remain, a.used, a.unlimited, a.name, list(a.history))

    def set_balance(self, key: str, *, usd: float | None = None, quota: int | None = None,
                    unlimited: bool = False) -> None:  # fmt: skip
        """Give ``key`` a balance (kept across ``reset()``); ``used`` starts again at 0."""
        amount = quota if quota is not None else round((usd or 0.0) * QUOTA_PER_UNIT)
        with self._lock:
            self._balances[key] = amount
            if unlimited:
                self._unlimited.add(key)
            else:
                self._unlimited.discard(key)
            self._accounts.pop(key, None)

    def set_group(self, key: str, group: str) -> None:
        if group not in GROUP_RATIOS:
            raise ValueError(f"unknown group {group!r}; groups: {sorted(GROUP_RATIOS)}")
        with self._lock:
            self._groups[key] = group
            if key in self._accounts:
                self._accounts[key].group = group

    def spent(self, key: str) -> bool:
        with self._lock:
            account = self._account(key)
            return not account.unlimited and account.remain <= 0

    def charge(self, key: str, model: str, quota: int) -> None:
        """Take ``quota`` from ``key``'s balance (it may go below zero, as in new-api)."""
        if quota == 0:
            return
        with self._lock:
            account = self._account(key)
            account.used += quota
            if not account.unlimited:
                account.remain -= quota
            account.history.append((model, quota))

    def group_ratio(self, key: str) -> float:
        with self._lock:
            return GROUP_RATIOS[self._account(key).group]

    def reset(self) -> None:
        """Accounts back to their configured balances."""
        with self._lock:
            self._accounts.clear()


def pricing_rows(extra: dict[str, ModelInfo]) -> list[dict[str, Any]]:
    """``GET /api/pricing`` rows (new-api's ``model.Pricing``) for the whole catalogue."""
    rows = []
    for info in [*CATALOGUE, *extra.values()]:
        price = price_of(info)
        row: dict[str, Any] = {
            "model_name": info.id,
            "quota_type": 1 if price.per_call else 0,
            "model_ratio": price.model_ratio,
            "model_price": price.model_price,
            "owner_by": "",
            "completion_ratio": price.completion_ratio,
            "enable_groups": sorted(GROUP_RATIOS),
            "supported_endpoint_types": [_endpoint(info)],
        }
        if price.cache_ratio is not None:
            row["cache_ratio"] = price.cache_ratio
        if price.create_cache_ratio is not None:
            row["create_cache_ratio"] = price.create_cache_ratio
        rows.append(row)
    return rows


def _endpoint(info: ModelInfo) -> str:
    if info.kind == "embedding":
        return "embeddings"
    if info.kind == "image":
        return "image-generation"
    if info.owned_by == "anthropic":
        return "anthropic"
    if info.owned_by == "google":
        return "gemini"
    return "openai"
