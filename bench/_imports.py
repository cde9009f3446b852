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


# Ours imported into a process that already holds the floor: the time, and the part of it
# spent in garbage collection (a full pass over the framework's heap that whatever
# allocates next after the floor sets off).
AFTER_FLOOR = (
    "import gc, time\n"
    "from langchain_core.language_models import BaseChatModel; import httpx\n"
    "spent = []\n"
    "def note(phase, info, mark=[0.0]):\n"
    "    now = time.perf_counter()\n"
    "    if phase == 'start': mark[0] = now\n"
    "    else: spent.append(now - mark[0])\n"
    "gc.callbacks.append(note)\n"
    "t = time.perf_counter(); from langchain_wenwen import ChatWenwen\n"
    "print(time.perf_counter() - t, sum(spent))\n"
)


def time_after_floor() -> tuple[float, float]:
    """(seconds importing ChatWenwen after the floor, seconds of GC within them)."""
    completed = subprocess.run(
        [sys.executable, "-c", AFTER_FLOOR], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"after-floor import failed:\n{completed.stderr.strip()}")
    total, gc_time = completed.stdout.split()[-2:]
    return float(total), float(gc_time)


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
        if available("import langchain_wenwen"):
            total, gc_time = time_after_floor()
            samples.setdefault("import_ChatWenwen_after_floor", []).append(total * 1000.0)
            samples.setdefault("import_ChatWenwen_after_floor_gc", []).append(gc_time * 1000.0)
    return samples
