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
    """``ours`` against ``anchor`` (ratio ours/anchor ≤ ``limit``), or, with no anchor, an
    absolute bound: (ours - floor) * ``scale`` ≤ ``limit`` in ``unit``."""

    label: str
    ours: str
    anchor: str | None
    metric: str
    floor: str | None = None  # compare the overheads above this floor, else the values
    limit: float | None = None  # None: reported only
    scale: float = 1.0
    unit: str = "x"


STREAM_CHUNKS = 200
TARGETS = (
    Target("LC 100 concurrent ainvoke / raw aiohttp floor", "lc_ChatWenwen_ainvoke",
           "raw_aiohttp_async", "warm_burst_ms", None, 4.0),
    Target("LC 1,000 concurrent ainvoke / raw aiohttp", "lc_ChatWenwen_ainvoke_1000",
           "raw_aiohttp_async_1000", "warm_burst_ms", None, 6.0),
    Target("LC machinery, no I/O / raw aiohttp (info)", "lc_machinery_ainvoke",
           "raw_aiohttp_async", "warm_burst_ms"),
    Target("LC 100 ainvoke / ChatOpenAI (info: bimodal)", "lc_ChatWenwen_ainvoke",
           "lc_ChatOpenAI_ainvoke", "warm_burst_ms"),
    Target("LC 1,000 ainvoke / ChatOpenAI (info)", "lc_ChatWenwen_ainvoke_1000",
           "lc_ChatOpenAI_ainvoke_1000", "warm_burst_ms"),
    Target("LC 100 ainvoke, httpx path / aiohttp floor", "lc_ChatWenwen_ainvoke_httpx",
           "raw_aiohttp_async", "warm_burst_ms"),
    Target("LC stream 200 chunks: µs/chunk over raw httpx", "lc_ChatWenwen_stream", None,
           "total_ms", "raw_httpx_stream", 65.0, 1000.0 / STREAM_CHUNKS, "µs"),
    Target("LC machinery alone, no I/O: µs/chunk (info)", "lc_machinery_stream", None,
           "total_ms", None, None, 1000.0 / STREAM_CHUNKS, "µs"),
    Target("LC stream 200 chunks: overhead", "lc_ChatWenwen_stream",
           "lc_ChatOpenAI_stream", "total_ms", "raw_httpx_stream"),
    Target("LC stream: time to first token", "lc_ChatWenwen_stream",
           "lc_ChatOpenAI_stream", "ttft_ms"),
    Target("LC invoke: overhead over raw httpx", "lc_ChatWenwen_invoke",
           "lc_ChatOpenAI_invoke", "us_per_call", "raw_httpx_chat", 0.2),
    Target("LC machinery alone, no I/O: µs/invoke (info)", "lc_machinery_invoke", None,
           "us_per_call", None, None, 1.0, "µs"),
    Target("SSE one 40 MB line, 64 KB chunks / httpx-sse", "sse_40MB_wenwen",
           "sse_40MB_httpx_sse", "ms", None, 2.0),
    Target("SSE one 10 MB line / httpx-sse", "sse_10MB_wenwen", "sse_10MB_httpx_sse", "ms"),
    Target("SSE one 1 MB line / httpx-sse", "sse_1MB_wenwen", "sse_1MB_httpx_sse", "ms"),
    Target("LC 5,000 aembed_documents, both defaults", "lc_WenwenEmbeddings_aembed",
           "lc_OpenAIEmbeddings_aembed", "wall_ms", None, 0.45),
    Target("LC 5,000 aembed, opt-in float (not default)", "lc_WenwenEmbeddings_aembed_float",
           "lc_OpenAIEmbeddings_aembed", "wall_ms"),
    Target("LC 5,000 texts embed_documents (sync)", "lc_WenwenEmbeddings_embed",
           "lc_OpenAIEmbeddings_embed", "wall_ms"),
    Target("LC cold import ChatWenwen: ms over floor", "import_ChatWenwen", None,
           "ms", "import_floor_langchain", 60.0, 1.0, "ms"),
    Target("(info) ChatWenwen imported after the floor", "import_ChatWenwen_after_floor",
           None, "ms", None, None, 1.0, "ms"),
    Target("(info) of which garbage collection", "import_ChatWenwen_after_floor_gc",
           None, "ms", None, None, 1.0, "ms"),
    Target("LC cold import over BaseChatModel+httpx", "import_ChatWenwen",
           "import_langchain_openai", "ms", "import_floor_langchain"),
    Target("LC cold import: the chat model class", "import_ChatWenwen",
           "import_langchain_openai", "ms"),
    Target("LI chat: overhead over raw httpx", "li_Wenwen_chat", "li_OpenAILike_chat",
           "us_per_call", "raw_httpx_chat", 0.5),
    Target("LI stream_chat 200 chunks: overhead", "li_Wenwen_stream_chat",
           "li_OpenAILike_stream_chat", "total_ms", "raw_httpx_stream", 0.5),
    Target("LI cold import over FunctionCallingLLM+httpx", "import_Wenwen_llm",
           "import_llama_index_openai_like", "ms", "import_floor_llama_index"),
)  # fmt: skip


def _median(results: Results, name: str | None, metric: str) -> float | None:
    return results.median(name, metric) if name else 0.0


def _compare(target: Target, metric: str, results: Results) -> tuple[float, float] | None:
    """(ours, anchor) medians, minus the floor's when the target compares overheads; for an
    absolute target, (ours - floor) * scale and the limit."""
    ours = results.median(target.ours, metric)
    floor = _median(results, target.floor, metric)
    if target.anchor is None:
        if ours is None or floor is None:
            return None
        return (ours - floor) * target.scale, target.limit or 0.0
    anchor = results.median(target.anchor, metric)
    if ours is None or anchor is None or floor is None:
        return None
    return ours - floor, anchor - floor


def _verdict(value: float | None, limit: float | None) -> str:
    if value is None:
        return "—"
    if value < 0:  # ours measured below the floor: the machine's noise, not a result
        return "noise"
    if limit is None:
        return "info"
    return "PASS" if value <= limit else "FAIL"


def evaluate(target: Target, results: Results) -> dict[str, Any] | None:
    wall = _compare(target, target.metric, results)
    if wall is None:
        return None
    absolute = target.anchor is None
    ratio = wall[0] if absolute else (wall[0] / wall[1] if wall[1] else float("inf"))
    cpu_metric = CPU_TWINS.get(target.metric)
    cpu = _compare(target, cpu_metric, results) if cpu_metric else None
    cpu_ratio = None
    if cpu:
        cpu_ratio = cpu[0] if absolute else (cpu[0] / cpu[1] if cpu[1] else None)
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
        f"{'target':<46} {'metric':<23} {'ours':>8} {'anchor':>8} {'ours/anchor':>11} "
        f"{'target':>9} {'result':>6} | {'CPU-time ratio':>14} {'result':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in evaluations:
        basis = " over floor" if row["floor"] else ""
        unit = row["unit"]
        limit = f"≤ {row['limit']:.2f}{unit}" if row["limit"] is not None else "—"
        cpu = f"{row['cpu_ratio']:.2f}{unit}" if row["cpu_ratio"] is not None else "—"
        ratio = f"{row['ratio']:.2f}{unit}"
        anchor = "(limit)" if row["anchor"] is None else _fmt(row["anchor_value"])
        lines.append(
            f"{row['label']:<46} {row['metric'] + basis:<23} {_fmt(row['ours_value']):>8} "
            f"{anchor:>8} {ratio:>11} {limit:>9} "
            f"{row['result']:>6} | {cpu:>14} {row['cpu_result']:>6}"
        )
    return lines


def notes_of(scenarios: list[Scenario]) -> dict[str, str]:
    return {s.name: s.note for s in scenarios if s.note}
