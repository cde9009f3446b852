# ruff: noqa: RUF001  (CJK punctuation and curly quotes are intended)
"""The mock model's core: the neutral prompt/reply types and :func:`generate` (rules in
the package docstring)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..tokens import IMAGE_TOKENS, count_tokens, truncate_tokens
from . import choices, prompt_json, react, schema_fill, textutil

FALLBACK = "I don't know based on the given context."
GREETING = "Hello! This is the Wenwen emulator."
GENERIC_TOOL_WORDS = frozenset(
    {
        "get",
        "set",
        "fetch",
        "retrieve",
        "lookup",
        "call",
        "run",
        "do",
        "tool",
        "tools",
        "function",
        "func",
        "fn",
        "api",
        "the",
        "a",
        "an",
        "of",
        "for",
        "by",
        "to",
    }
)


@dataclass
class Turn:
    """One message: ``role`` is system, user, assistant or tool."""

    role: str
    text: str = ""
    images: int = 0
    attachments: int = 0
    tool_name: str = ""


@dataclass
class ToolSpec:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Prompt:
    turns: list[Turn]
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str = "auto"
    """``auto``, ``none``, ``required`` or ``name:<tool>``."""
    allowed_tools: list[str] | None = None
    """The only tools that may be called (``allowed_tools``); every tool stays in the prompt."""
    parallel_tool_calls: bool = True
    stop: list[str] = field(default_factory=list)
    max_tokens: int | None = None
    reasoning: bool = False
    json_schema: dict[str, Any] | None = None
    json_object: bool = False
    media: str = ""
    """``image`` or ``video`` for generation models, else empty."""


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]

    @property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass
class Reply:
    text: str
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish: str = "stop"
    """``stop``, ``length``, ``tool_calls``, ``stop_sequence`` or ``refusal``."""
    refusal: str = ""
    """A refusal in place of the answer (scripted replies only)."""
    stop_sequence: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    """Prompt tokens read from the route's prompt cache."""


def stable_hex(*parts: object, length: int = 24) -> str:
    """A short stable hex digest of ``parts`` (never Python's randomized ``hash``)."""
    data = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()[:length]


# --------------------------------------------------------------------------- prompt facts
def last_user_index(turns: list[Turn]) -> int:
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].role == "user":
            return i
    return -1


def prompt_tokens(prompt: Prompt) -> int:
    total = 3
    for turn in prompt.turns:
        total += 3 + count_tokens(turn.text) + IMAGE_TOKENS * (turn.images + turn.attachments)
    for tool in prompt.tools:
        total += count_tokens(tool.name + " " + tool.description)
        total += count_tokens(json.dumps(tool.parameters, sort_keys=True))
    return total


# --------------------------------------------------------------------------- text answers
_NUMERIC_QUESTION = re.compile(
    r"(?i)\b(?:when|what year|which year|how (?:many|much|old|long|far|tall|big))\b|多少|几"
)


def extractive_answer(turns: list[Turn]) -> str:
    """The best-matching context sentence for the last user question."""
    idx = last_user_index(turns)
    question_text = turns[idx].text if idx >= 0 else ""
    question, own_context = textutil.split_question(question_text)
    candidates: list[str] = []
    for i, turn in enumerate(turns):
        if i != idx:
            candidates.extend(textutil.sentences(turn.text))
    candidates.extend(textutil.sentences(own_context))
    q_words = textutil.content_words(question)
    wants_number = _NUMERIC_QUESTION.search(question) is not None
    best, best_score = "", 0.0
    for sentence in candidates:
        if sentence.strip() == question.strip():
            continue
        score: float = len(q_words & textutil.content_words(sentence))
        if score and wants_number and re.search(r"\d", sentence):
            score += 1.5  # "when"/"how many" questions prefer sentences with numbers
        if score > best_score:
            best, best_score = sentence, score
    if best:
        return best
    return FALLBACK if candidates else GREETING


def tool_results_answer(results: list[Turn]) -> str:
    parts = []
    for turn in results:
        content = turn.text.strip() or ("an image" if turn.images else "")
        end = "" if content.endswith((".", "!", "?", "。", "！", "？")) else "."
        parts.append(f"The result of {turn.tool_name or 'the tool'} is {content}{end}")
    return " ".join(parts)


def _pending_tool_results(turns: list[Turn]) -> list[Turn]:
    idx = last_user_index(turns)
    return [t for t in turns[idx + 1 :] if t.role == "tool"]


# --------------------------------------------------------------------------- tools
def _name_position(text: str, name: str) -> int:
    positions = [textutil.mentions(text, name), textutil.mentions(text, name.replace("_", " "))]
    words = [w.lower() for w in re.findall(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])|\d+", name)]
    significant = [w for w in words if w not in GENERIC_TOOL_WORDS]
    if significant:
        hits = [h for w in significant if (h := textutil.mentions(text, w)) >= 0]
        if hits and 2 * len(hits) >= len(significant):
            positions.append(min(hits))
    found = [p for p in positions if p >= 0]
    return min(found) if found else -1


def choose_tools(prompt: Prompt, text: str) -> list[ToolSpec]:
    """Which tools the model calls for the user ``text`` (possibly none)."""
    if not prompt.tools or prompt.tool_choice == "none":
        return []
    if prompt.tool_choice.startswith("name:"):
        wanted = prompt.tool_choice[5:]
        named = [t for t in prompt.tools if t.name == wanted]
        return named[:1] or [ToolSpec(name=wanted)]
    callable_tools = [
        tool
        for tool in prompt.tools
        if prompt.allowed_tools is None or tool.name in prompt.allowed_tools
    ]
    ranked = sorted(
        (
            (pos, i, tool)
            for i, tool in enumerate(callable_tools)
            if (pos := _name_position(text, tool.name)) >= 0
        ),
        key=lambda item: (item[0], item[1]),
    )
    chosen = [tool for _, _, tool in ranked]
    if not chosen and prompt.tool_choice == "required":
        chosen = callable_tools[:1]
    if not prompt.parallel_tool_calls:
        chosen = chosen[:1]
    return chosen


def make_tool_calls(
    prompt: Prompt, tools: list[ToolSpec], text: str, results: list[Turn] | None = None
) -> list[ToolCall]:
    """Arguments come from the user's text; numbers from earlier tool results come first
    (a later step of an agent works on what the earlier steps found)."""
    calls = []
    found = [n for r in reversed(results or []) for n in textutil.numbers(r.text)]
    for i, tool in enumerate(tools):
        ctx = schema_fill.FillContext.from_text(text, numbers=found + textutil.numbers(text))
        params = tool.parameters or {"type": "object", "properties": {}}
        if _open_object(params):
            # a free-form object (JSON mode emulated as a tool): keys come from the prompt,
            # as with response_format json_object
            answer = extractive_answer(prompt.turns)
            args = json.loads(json_reply(replace(prompt, json_object=True), text, answer))
        else:
            args = schema_fill.fill(params, params, ctx)
        if not isinstance(args, dict):
            args = {}
        seed = [(t.role, t.text) for t in prompt.turns]
        calls.append(ToolCall(id=stable_hex(seed, tool.name, i), name=tool.name, arguments=args))
    return calls


def _open_object(schema: dict[str, Any]) -> bool:
    """An object schema that names no properties at all (``{"type": "object"}``); a schema
    with ``"properties": {}`` is a tool without arguments instead."""
    structural = ("properties", "$ref", "anyOf", "oneOf", "allOf", "additionalProperties")
    return schema.get("type", "object") == "object" and not any(k in schema for k in structural)


# --------------------------------------------------------------------------- JSON output
def instructions(turns: list[Turn]) -> str:
    """What the prompt asks for: the system turns and the last user turn."""
    idx = last_user_index(turns)
    parts = [t.text for t in turns if t.role == "system"]
    if idx >= 0:
        parts.append(turns[idx].text)
    return "\n".join(parts)


def json_reply(prompt: Prompt, text: str, answer: str) -> str:
    """JSON in the shape the request or the prompt asks for, filled from the conversation:
    choices the prompt offers are picked by relevance to the question."""
    asked = instructions(prompt.turns)
    schema = prompt.json_schema
    if schema is None:
        schema = prompt_json.requested_schema(asked)
    content = prompt_json.content_text(text)
    question, _ = textutil.split_question(content)
    offered = choices.offered(prompt_json.undouble_braces(asked))
    ctx = schema_fill.FillContext.from_text(
        content,
        answer=answer,
        json_mode=True,
        choices=choices.relevant(offered, question) if offered else [],
        question=question,
        numbers=textutil.numbers(question) + textutil.numbers(answer) + textutil.numbers(content),
    )
    value = schema_fill.fill(schema, schema, ctx)
    return json.dumps(value, ensure_ascii=False)


def wants_json(prompt: Prompt) -> bool:
    if prompt.json_schema is not None or prompt.json_object:
        return True
    return prompt_json.asks_for_json(instructions(prompt.turns))


# --------------------------------------------------------------------------- the model
def _reasoning_text(question: str, tools: list[ToolSpec], results: list[Turn]) -> str:
    topic = question.strip() or "nothing in particular"
    if tools:
        plan = "I should call " + ", ".join(t.name for t in tools) + " to answer."
    elif results:
        plan = "The tool results are available, so I can report them."
    else:
        plan = "Looking for the most relevant sentence in the context."
    return f'The user asks: "{topic}" {plan}'


def _apply_stop(text: str, stops: list[str]) -> tuple[str, str | None]:
    cut, which = len(text), None
    for stop in stops:
        pos = text.find(stop) if stop else -1
        if 0 <= pos < cut:
            cut, which = pos, stop
    return text[:cut], which


def media_reply(prompt: Prompt) -> str:
    idx = last_user_index(prompt.turns)
    seed = prompt.turns[idx].text if idx >= 0 else ""
    digest = stable_hex(seed, length=32)
    if prompt.media == "video":
        return f"[download video](https://emulator.wenwen.local/videos/{digest}.mp4)\n\n"
    return f"![image](https://emulator.wenwen.local/images/{digest}.png)\n\n"


def generate(prompt: Prompt) -> Reply:
    """Run the mock model."""
    turns = prompt.turns
    idx = last_user_index(turns)
    user = turns[idx] if idx >= 0 else Turn(role="user")
    question, _ = textutil.split_question(user.text)
    if prompt.media:
        return Reply(text=media_reply(prompt))
    results = _pending_tool_results(turns)
    tools = _tools_to_call(prompt, user.text, results)
    reasoning = _reasoning_text(question, tools, results) if prompt.reasoning else ""
    reply = Reply(text="", reasoning=reasoning, prompt_tokens=prompt_tokens(prompt))
    if tools:
        reply.tool_calls = make_tool_calls(prompt, tools, user.text, results)
        reply.finish = "tool_calls"
    else:
        reply.text, reply.stop_sequence = _apply_stop(_text_answer(prompt, results), prompt.stop)
        if reply.stop_sequence is not None:
            reply.finish = "stop_sequence"
    _apply_limit(reply, prompt.max_tokens)
    reply.reasoning_tokens = count_tokens(reply.reasoning)
    reply.completion_tokens = (
        count_tokens(reply.text)
        + reply.reasoning_tokens
        + sum(count_tokens(c.name) + count_tokens(c.arguments_json) for c in reply.tool_calls)
    )
    return reply


def _tools_to_call(prompt: Prompt, text: str, results: list[Turn]) -> list[ToolSpec]:
    """The tools the question names; after tool results, those not called yet (a multi-step
    agent's next step), unless a call is forced."""
    if prompt.tool_choice.startswith("name:"):
        return choose_tools(prompt, text)
    called = {t.tool_name for t in results}
    if prompt.tool_choice == "required":
        return _forced_next(prompt, text, called)
    chosen = [t for t in choose_tools(prompt, text) if t.name not in called]
    available = len(textutil.numbers(text)) + sum(len(textutil.numbers(r.text)) for r in results)
    ready = [t for t in chosen if _numbers_needed(t) <= available]
    return ready or chosen  # a tool that needs numbers no one has found yet waits a step


def _forced_next(prompt: Prompt, text: str, called: set[str]) -> list[ToolSpec]:
    """A forced call (``required`` / ``any`` / ``ANY``) goes to a tool that has no result yet:
    one the question names, else the first offered. Once every callable tool has a result the
    model answers (a real model would too; calling the same tool again loops an agent)."""
    named = [t for t in choose_tools(prompt, text) if t.name not in called]
    if named:
        return named
    fresh = [
        tool
        for tool in prompt.tools
        if tool.name not in called
        and (prompt.allowed_tools is None or tool.name in prompt.allowed_tools)
    ]
    return fresh[:1]


def _numbers_needed(tool: ToolSpec) -> int:
    props = tool.parameters.get("properties") or {}
    required = tool.parameters.get("required") or []
    return sum(
        1
        for name in required
        if isinstance(props.get(name), dict) and props[name].get("type") in ("integer", "number")
    )


def _text_answer(prompt: Prompt, results: list[Turn]) -> str:
    turns = prompt.turns
    idx = last_user_index(turns)
    user = turns[idx] if idx >= 0 else Turn(role="user")
    structured = prompt.json_schema is not None or prompt.json_object
    asked = instructions(turns)
    if not structured and not prompt.tools and react.wants_react(asked):
        return _react_answer(turns, asked)
    json_wanted = wants_json(prompt)
    if results:
        answer = tool_results_answer(results)
    elif json_wanted:  # values come from the prompt's content, not its format instructions
        content = replace(user, text=prompt_json.content_text(user.text))
        answer = extractive_answer([*turns[:idx], content, *turns[idx + 1 :]])
    else:
        answer = extractive_answer(turns)
    seen = user.images + sum(t.images for t in results)  # images in tool results count too
    if seen:
        answer = f"I see {seen} {'image' if seen == 1 else 'images'}. {answer}"
    if json_wanted:
        answer = json_reply(prompt, user.text, answer)
    return answer


def _react_answer(turns: list[Turn], asked: str) -> str:
    """The ReAct step: the question is the last user turn that is not an observation."""
    idx = len(turns) - 1
    while idx >= 0 and not (
        turns[idx].role == "user" and not turns[idx].text.lstrip().startswith("Observation")
    ):
        idx -= 1
    question_text = turns[idx].text if idx >= 0 else ""
    after = "\n".join(t.text for t in turns[idx + 1 :])
    state = react.read_state(
        "\n".join(t.text for t in turns if t.role in ("system", "user")), question_text, after
    )
    answer = extractive_answer(turns[: idx + 1]) if idx >= 0 else GREETING
    return react.reply(state, answer)


def _apply_limit(reply: Reply, limit: int | None) -> None:
    if limit is None or reply.tool_calls:
        return
    reasoning_tokens = count_tokens(reply.reasoning)
    if reasoning_tokens > limit:
        reply.reasoning = truncate_tokens(reply.reasoning, limit)
        reply.text, reply.finish, reply.stop_sequence = "", "length", None
        return
    budget = limit - reasoning_tokens
    if count_tokens(reply.text) > budget:
        reply.text = truncate_tokens(reply.text, budget)
        reply.finish, reply.stop_sequence = "length", None
