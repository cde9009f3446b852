"""Cold import time: each sample is a fresh interpreter that times one import in-process.

Both the bare ``import package`` and ``from package import Class`` are timed: a package with
lazy exports (PEP 562, as ``langchain_wenwen`` has) imports almost nothing on the bare form,
so the class import is the like-for-like comparison with an eager anchor package.
"""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys

SNIPPET = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"

# (label, statement) — ours and the anchors. The anchor packages import their classes
# eagerly, so for them the bare import and the class import are the same work; for ours the
# class import is timed (``llama_index_wenwen`` is eager today: the same as its bare import).
STATEMENTS = (
    ("import_langchain_wenwen", "import langchain_wenwen"),
    ("import_ChatWenwen", "from langchain_wenwen import ChatWenwen"),
    ("import_langchain_openai", "from langchain_openai import ChatOpenAI"),
    ("import_Wenwen_llm", "from llama_index_wenwen import Wenwen"),
    ("import_llama_index_openai_like", "from llama_index.llms.openai_like import OpenAILike"),
    # the floor: what any integration built on BaseChatModel and httpx imports
    ("import_floor_langchain", "from langchain_core.language_models import BaseChatModel; "
     "import httpx"),
)  # fmt: skip
# the LlamaIndex floor costs ~1.6 s per sample, so it is timed on request (--import-floors)
EXTRA_FLOORS = (
    ("import_floor_llama_index", "from llama_index.core.llms.function_calling import "
     "FunctionCallingLLM; import httpx"),
)  # fmt: skip


def available(statement: str) -> bool:
    top = statement.split()[1].split(".")[0]
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def time_import(statement: str) -> float:
    """Seconds spent inside ``statement`` in a fresh process."""
    completed = subprocess.run(
        [sys.executable, "-c", SNIPPET.format(statement=statement)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{statement!r} failed:\n{completed.stderr.strip()}")
    return float(completed.stdout.strip().splitlines()[-1])


def measure_imports(reps: int, rng: random.Random, *, all_floors: bool) -> dict[str, list[float]]:
    """One warm-up run per statement (page cache, .pyc files), then ``reps`` runs each, the
    order shuffled per repetition. Values in milliseconds."""
    chosen = STATEMENTS + (EXTRA_FLOORS if all_floors else ())
    statements = [(label, stmt) for label, stmt in chosen if available(stmt)]
    for _label, statement in statements:
        time_import(statement)
    samples: dict[str, list[float]] = {label: [] for label, _ in statements}
    for _ in range(reps):
        order = list(statements)
        rng.shuffle(order)
        for label, statement in order:
            samples[label].append(time_import(statement) * 1000.0)
    return samples
