"""What an agent run costs, in the relay's own prices, and a budget that stops it.

An agent that is told to always call its tool would loop until LangGraph's recursion
limit; ``wenwen_usage(max_cost=...)`` stops it with ``BudgetExceededError`` at the first
model call after the budget is spent, before that call reaches the relay. The totals come
from the relay's price table (``GET /api/pricing``) and this key's balance from
``GET /api/usage/token/``.

Runs against the Wenwen relay when WENWEN_API_KEY is set (it spends a little: the budget
below is $0.0002); otherwise it starts the local emulator and says so. Needs
``pip install langchain`` (LangChain v1, which brings langgraph).

    python examples/cost_and_budget.py
"""

from __future__ import annotations

import os

from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen, wenwen_usage
from wenwen import WenwenClient
from wenwen.errors import BudgetExceededError
from wenwen_emulator.offline import emulator_unless_key

BUDGET_USD = 0.0002


@tool
def roll_dice(sides: int) -> int:
    """Roll a die with the given number of sides."""
    return sides  # a loaded die: the agent never gets what it hopes for


def main() -> None:
    with emulator_unless_key() as (base_url, api_key), WenwenClient(api_key, base_url) as client:
        before = client.quota()
        print(f"balance before: ${before.available_usd} ({before.total_available} quota)")
        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"),
            base_url=base_url,
            api_key=api_key,
            # the die must be rolled every turn: the agent never stops on its own
            model_kwargs={"tool_choice": {"type": "function", "function": {"name": "roll_dice"}}},
        )
        agent = create_agent(llm, tools=[roll_dice])
        question = "Roll a 6-sided die with roll_dice until you get a 7."
        with wenwen_usage(max_cost=BUDGET_USD) as usage:
            try:
                agent.invoke({"messages": [("user", question)]}, {"recursion_limit": 100})
            except BudgetExceededError as stop:
                print(f"stopped by the budget: spent ${stop.spent_usd:.6f} ({stop.spent_quota}"
                      f" quota) of ${stop.limit_usd}")  # fmt: skip
        totals = usage.report()
        after = client.quota()
        print(f"balance after: ${after.available_usd} ({after.total_available} quota)")
        decrease = before.total_available - after.total_available
        print(f"the relay charged {decrease} quota; the run counted {totals['quota']} quota")


if __name__ == "__main__":
    main()
