"""Targets (ours vs anchor) and the printed tables."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

from _harness import Results, Scenario

# metric -> the raw-httpx scenario that is its floor
FLOORS = {
    "us_per_call": "raw_httpx_chat",
    "cpu_us_per_call": "raw_httpx_chat",
    "ttft_ms": "raw_httpx_stream",
    "total_ms": "raw_httpx_stream",
    "cpu_total_ms": "raw_httpx_stream",
    "first_burst_ms": "raw_httpx_async_sharded",
    "warm_burst_ms": "raw_httpx_async_sharded",
    "cpu_warm_burst_ms": "raw_httpx_async_sharded",
}
# wall-clock metric -> the same measured in client CPU time (immune to other processes
# taking the CPU, which wall time is not on a shared machine)
CPU_TWINS = {
    "us_per_call": "cpu_us_per_call",
    "total_ms": "cpu_total_ms",
    "warm_burst_ms": "cpu_warm_burst_ms",
    "wall_ms": "cpu_ms",
}
ASYNC_EMBED_FLOOR = "raw_httpx_embed_async"
IMPORT_FLOORS = {
    "import_langchain_wenwen": "import_floor_langchain",
    "import_ChatWenwen": "import_floor_langchain",
    "import_langchain_openai": "import_floor_langchain",
    "import_Wenwen_llm": "import_floor_llama_index",
    "import_llama_index_openai_like": "import_floor_llama_index",
}


@dataclass(frozen=True)
class Target:
    label: str
    ours: str
    anchor: str
    metric: str
    floor: str | None = None  # compare the overheads above this floor, else the values
    limit: float | None = None  # ours/anchor must be <= limit; None: reported only


TARGETS = (
    Target("LC invoke: overhead over raw httpx", "lc_ChatWenwen_invoke",
           "lc_ChatOpenAI_invoke", "us_per_call", "raw_httpx_chat", 0.5),
    Target("LC stream 200 chunks: overhead", "lc_ChatWenwen_stream",
           "lc_ChatOpenAI_stream", "total_ms", "raw_httpx_stream", 0.5),
    Target("LC stream 200 chunks: total time", "lc_ChatWenwen_stream",
           "lc_ChatOpenAI_stream", "total_ms", None, 0.5),
    Target("LC stream: time to first token", "lc_ChatWenwen_stream",
           "lc_ChatOpenAI_stream", "ttft_ms"),
    Target("LC 100 concurrent ainvoke, warm pool", "lc_ChatWenwen_ainvoke",
           "lc_ChatOpenAI_ainvoke", "warm_burst_ms", None, 0.2),
    Target("LC cold import: the chat model class", "import_ChatWenwen",
           "import_langchain_openai", "ms", None, 0.4),
    Target("LC cold import over BaseChatModel+httpx", "import_ChatWenwen",
           "import_langchain_openai", "ms", "import_floor_langchain"),
    Target("LC cold import: bare package (ours lazy)", "import_langchain_wenwen",
           "import_langchain_openai", "ms"),
    Target("LC 5,000 texts aembed_documents (50 ms/req)", "lc_WenwenEmbeddings_aembed",
           "lc_OpenAIEmbeddings_aembed", "wall_ms", None, 0.5),
    Target("LC 5,000 aembed, opt-in base64 (not default)", "lc_WenwenEmbeddings_aembed_base64",
           "lc_OpenAIEmbeddings_aembed", "wall_ms"),
    Target("LC 5,000 texts embed_documents (sync)", "lc_WenwenEmbeddings_embed",
           "lc_OpenAIEmbeddings_embed", "wall_ms"),
    Target("LI chat: overhead over raw httpx", "li_Wenwen_chat", "li_OpenAILike_chat",
           "us_per_call", "raw_httpx_chat", 0.5),
    Target("LI stream_chat 200 chunks: overhead", "li_Wenwen_stream_chat",
           "li_OpenAILike_stream_chat", "total_ms", "raw_httpx_stream", 0.5),
    Target("LI stream_chat 200 chunks: total time", "li_Wenwen_stream_chat",
           "li_OpenAILike_stream_chat", "total_ms"),
    Target("LI cold import: the LLM class", "import_Wenwen_llm",
           "import_llama_index_openai_like", "ms"),
    Target("LI cold import over FunctionCallingLLM+httpx", "import_Wenwen_llm",
           "import_llama_index_openai_like", "ms", "import_floor_llama_index"),
)  # fmt: skip


def _compare(target: Target, metric: str, results: Results) -> tuple[float, float] | None:
    """(ours, anchor) medians, minus the floor's when the target compares overheads."""
    ours = results.median(target.ours, metric)
    anchor = results.median(target.anchor, metric)
    floor = results.median(target.floor, metric) if target.floor else 0.0
    if ours is None or anchor is None or floor is None:
        return None
    return ours - floor, anchor - floor


def _verdict(ratio: float | None, limit: float | None) -> str:
    if ratio is None:
        return "—"
    if limit is None:
        return "info"
    return "PASS" if ratio <= limit else "FAIL"


def evaluate(target: Target, results: Results) -> dict[str, Any] | None:
    wall = _compare(target, target.metric, results)
    if wall is None:
        return None
    ratio = wall[0] / wall[1] if wall[1] else float("inf")
    cpu_metric = CPU_TWINS.get(target.metric)
    cpu = _compare(target, cpu_metric, results) if cpu_metric else None
    cpu_ratio = cpu[0] / cpu[1] if cpu and cpu[1] else None
    return asdict(target) | {
        "ours_value": wall[0],
        "anchor_value": wall[1],
        "ratio": ratio,
        "result": _verdict(ratio, target.limit),
        "cpu_ratio": cpu_ratio,
        "cpu_result": _verdict(cpu_ratio, target.limit),
    }


def floor_for(name: str, metric: str) -> str | None:
    if metric in ("wall_ms", "cpu_ms"):
        return ASYNC_EMBED_FLOOR if name.endswith("_aembed") else None
    if metric == "ms":
        return IMPORT_FLOORS.get(name)
    floor = FLOORS.get(metric)
    return floor if floor and floor != name else None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def scenario_table(results: Results, order: list[str], notes: dict[str, str]) -> list[str]:
    header = (
        f"{'scenario':<34} {'metric':<15} {'median':>10} {'min..max':>21} {'over floor':>11} "
        f"{'req/batch':>9} {'srv ms':>7}  note"
    )
    lines = [header, "-" * len(header)]
    names = [n for n in order if n in results.metrics]
    names += [n for n in results.metrics if n not in names]
    for name in names:
        for metric, values in results.metrics[name].items():
            median = statistics.median(values)
            spread = f"{_fmt(min(values))}..{_fmt(max(values))}"
            floor_name = floor_for(name, metric)
            floor = results.median(floor_name, metric) if floor_name else None
            over = f"{'+' if median >= floor else ''}{_fmt(median - floor)}" if floor else "—"
            requests = results.requests.get(name)
            req = f"{statistics.median(requests):.0f}" if requests else "—"
            cpu = results.server_cpu_ms.get(name)
            srv = _fmt(statistics.median(cpu)) if cpu else "—"
            lines.append(
                f"{name:<34} {metric:<15} {_fmt(median):>10} {spread:>21} {over:>11} "
                f"{req:>9} {srv:>7}  {notes.get(name, '')}"
            )
    return lines


def target_table(evaluations: list[dict[str, Any]]) -> list[str]:
    header = (
        f"{'target':<44} {'metric':<25} {'ours':>8} {'anchor':>8} {'ours/anchor':>11} "
        f"{'target':>8} {'result':>6} | {'CPU-time ratio':>14} {'result':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in evaluations:
        basis = " over floor" if row["floor"] else ""
        limit = f"≤ {row['limit']:.2f}x" if row["limit"] is not None else "—"
        cpu = f"{row['cpu_ratio']:.2f}x" if row["cpu_ratio"] is not None else "—"
        lines.append(
            f"{row['label']:<44} {row['metric'] + basis:<25} {_fmt(row['ours_value']):>8} "
            f"{_fmt(row['anchor_value']):>8} {row['ratio']:>10.2f}x {limit:>8} "
            f"{row['result']:>6} | {cpu:>14} {row['cpu_result']:>6}"
        )
    return lines


def notes_of(scenarios: list[Scenario]) -> dict[str, str]:
    return {s.name: s.note for s in scenarios if s.note}
