"""``examples/cost_and_budget.py`` runs on the emulator: the agent is stopped by its budget
and the run's total equals what the relay charged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cost_and_budget.py"


def test_the_budget_example_stops_its_agent() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No WENWEN_API_KEY set: using the local Wenwen emulator" in done.stderr
    assert "stopped by the budget" in done.stdout
    charged = re.search(r"the relay charged (\d+) quota; the run counted (\d+) quota", done.stdout)
    assert charged is not None and charged.group(1) == charged.group(2) != "0"
