"""new-api's billing formula (``wenwen.cost``) against figures computed by hand.

The worked figures follow new-api's ratio documentation
(https://docs.newapi.pro/guide/console/settings/rate-settings: 500,000 quota per USD;
quota = (input + output x completion ratio) x model ratio x group ratio; per call =
price x group ratio x 500,000; gpt-4o 1.25 / 4, gpt-4o-mini 0.075 / 4) and one-api's
worked example of the completion ratio (https://github.com/songquanpeng/one-api/issues/53:
17 prompt + 13 completion tokens at ratio 15 with completion ratio 2 = 645 quota).
"""

from __future__ import annotations

import logging

import pytest

from wenwen.cost import ModelPrice, PriceTable, call_quota, price, token_quota, why_no_cost
from wenwen.types import Usage


def _table(**rows: ModelPrice) -> PriceTable:
    return PriceTable(models=rows, group_ratio={"default": 1.0, "vip": 0.8})


GPT_4O = ModelPrice(model_name="gpt-4o", model_ratio=1.25, completion_ratio=4, cache_ratio=0.5)
MINI = ModelPrice(model_name="gpt-4o-mini", model_ratio=0.075, completion_ratio=4)
SONNET = ModelPrice(
    model_name="claude-sonnet-4-20250514",
    model_ratio=1.5,
    completion_ratio=5,
    cache_ratio=0.1,
    create_cache_ratio=1.25,
)
DALLE = ModelPrice(model_name="dall-e-3", quota_type=1, model_price=0.04)
TABLE = _table(
    **{"gpt-4o": GPT_4O, "gpt-4o-mini": MINI, SONNET.model_name: SONNET, "dall-e-3": DALLE}
)


def test_one_api_worked_example() -> None:
    row = ModelPrice(model_name="gpt-4", model_ratio=15, completion_ratio=2)
    assert token_quota(Usage(input_tokens=17, output_tokens=13), row, 1.0) == 645


def test_gpt_4o_matches_its_dollar_price() -> None:
    # $2.50 / 1M input and $10 / 1M output: 1000 in + 500 out = $0.0075
    cost = price(Usage(input_tokens=1000, output_tokens=500), "gpt-4o", TABLE)
    assert cost is not None
    assert (cost.quota, cost.usd) == (3750, 0.0075)


def test_group_ratio_scales_the_cost() -> None:
    usage = Usage(input_tokens=1000, output_tokens=200)
    default = price(usage, "gpt-4o-mini", TABLE)
    vip = price(usage, "gpt-4o-mini", TABLE, group="vip")
    assert default is not None and vip is not None
    assert (default.quota, vip.quota) == (135, 108)  # (1000 + 800) x 0.075 (x 0.8)
    assert vip.group_ratio == 0.8


def test_cache_reads_and_writes_at_their_ratios() -> None:
    # 10,000 prompt tokens: 8,000 read from cache (x0.1), 1,000 written (x1.25), 1,000 fresh
    usage = Usage(
        input_tokens=10_000, output_tokens=100, cache_read_tokens=8_000, cache_creation_tokens=1_000
    )
    assert token_quota(usage, SONNET, 1.0) == 5325  # (1000 + 800 + 1250 + 500) x 1.5


def test_reasoning_tokens_are_part_of_the_output_not_extra() -> None:
    plain = Usage(input_tokens=100, output_tokens=300)
    reasoning = Usage(input_tokens=100, output_tokens=300, reasoning_tokens=250)
    assert token_quota(plain, MINI, 1.0) == token_quota(reasoning, MINI, 1.0) == 98  # 97.5


@pytest.mark.parametrize(
    ("prompt", "quota"),
    [
        (60, 5),  # 4.5 rounds half away from zero (banker's rounding would give 4)
        (30, 2),  # 2.25
        (1, 1),  # 0.075: at least 1 quota once a token was used
        (0, 0),  # no token used, nothing charged
    ],
)
def test_rounding(prompt: int, quota: int) -> None:
    assert token_quota(Usage(input_tokens=prompt), MINI, 1.0) == quota


def test_float_ratios_are_read_as_their_decimal_form() -> None:
    row = ModelPrice(model_name="gemini-2.5-flash", model_ratio=0.15, completion_ratio=8.3333)
    # (100 + 100 x 8.3333) x 0.15 = 139.9995 -> 140
    assert token_quota(Usage(input_tokens=100, output_tokens=100), row, 1.0) == 140


def test_per_call_models() -> None:
    assert call_quota(DALLE, 1.0) == 20_000  # $0.04 x 500,000
    assert call_quota(DALLE, 0.8, calls=2) == 32_000
    cost = price(None, "dall-e-3", TABLE, calls=3)
    assert cost is not None and (cost.quota, cost.usd, cost.per_call) == (60_000, 0.12, True)


def test_a_per_call_chat_reply_without_tokens_costs_nothing() -> None:
    cost = price(Usage(), "dall-e-3", TABLE)
    assert cost is not None and cost.quota == 0


@pytest.mark.parametrize(
    ("model", "table", "group", "reason"),
    [
        ("nobody-knows", TABLE, "default", "not in the relay's price table"),
        ("gpt-4o", None, "default", "no price table"),
        ("gpt-4o", TABLE, "svip", "group 'svip' is not among"),
    ],
)
def test_unknown_cost_is_none_with_a_logged_reason(
    model: str,
    table: PriceTable | None,
    group: str,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="wenwen.cost"):
        assert price(Usage(input_tokens=5), model, table, group=group) is None
    assert reason in (why_no_cost(model, table, group) or "")
    assert any(reason in r.getMessage() for r in caplog.records)


def test_a_model_not_enabled_for_the_group() -> None:
    row = ModelPrice(model_name="o1-pro", model_ratio=75, enable_groups=["vip"])
    table = _table(**{"o1-pro": row})
    assert price(Usage(input_tokens=1), "o1-pro", table) is None
    assert price(Usage(input_tokens=1), "o1-pro", table, group="vip") is not None


def test_price_table_from_new_apis_reply() -> None:
    body = {
        "success": True,
        "data": [
            {"model_name": "gpt-4o", "quota_type": 0, "model_ratio": 1.25, "model_price": 0,
             "completion_ratio": 4, "cache_ratio": 0.5, "enable_groups": ["default"]},
            {"model_name": "dall-e-3", "quota_type": 1, "model_ratio": 0, "model_price": 0.04,
             "completion_ratio": 0, "enable_groups": ["default"]},
            {"model_name": 7},
        ],
        "group_ratio": {"default": 1, "vip": 0.8},
        "usable_group": {"default": "默认分组"},
    }  # fmt: skip
    table = PriceTable.from_pricing(body)
    assert sorted(table.models) == ["dall-e-3", "gpt-4o"]  # the broken row is skipped
    assert table.models["dall-e-3"].per_call and table.models["gpt-4o"].cache_ratio == 0.5
    assert table.group_ratio == {"default": 1.0, "vip": 0.8}
