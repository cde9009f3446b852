"""Replies in the ReAct text format (``Thought:`` / ``Action:`` / ``Action Input:``).

Agents without native tool calling (LlamaIndex's ``ReActAgent``, LangChain's classic ReAct
agent) describe their tools and this format in the prompt and parse the reply. The rule:
call the tool whose name and description best match the question and that has not been
called yet; once observations are in, call the next relevant tool if one is left, else end
with the answer label the prompt defines (``Final Answer:`` or ``Answer:``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import choices, prompt_json, schema_fill, textutil
from .choices import Choice

_FORMAT = re.compile(r"(?im)^\W*Action\s*:.*$[\s\S]*?^\W*Action Input\s*:")
_ONE_OF = re.compile(r"(?i)one of\s*\[([^\]\n]*)\]|\(one of ([^)\n]*)\)")
_ACTION = re.compile(r"(?im)^\s*Action\s*:\s*([^\s`]+)")
_OBSERVATION = re.compile(r"(?ims)^\s*Observation\s*:\s*(.*?)(?=^\s*(?:Thought|Action)\s*:|\Z)")
_QUESTION = re.compile(r"(?im)^\s*Question\s*:\s*(.+)$")
_SIGNATURE = re.compile(r"\(([^()]*)\)")
_PARAM = re.compile(r"(\w+)\s*:\s*(\w+)")
_JSON_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}


@dataclass
class ReactState:
    question: str
    tools: list[Choice]
    schemas: dict[str, dict[str, Any]]
    called: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    final_label: str = "Answer"
    json_input: bool = True


def wants_react(instructions: str) -> bool:
    """The prompt defines the ``Action:`` / ``Action Input:`` format."""
    return _FORMAT.search(instructions) is not None


def _tools(instructions: str) -> tuple[list[Choice], dict[str, dict[str, Any]]]:
    named = choices.named(instructions)
    listed = [m.group(1) or m.group(2) for m in _ONE_OF.finditer(instructions)]
    names = [n.strip(" '\"`") for group in listed for n in group.split(",") if n.strip()]
    known = {c.name for c in named}
    for name in names:
        if name and name not in known and re.fullmatch(r"[\w.-]+", name):
            line = re.search(rf"(?m)^\W*{re.escape(name)}\b[:(\s-]*(.*)$", instructions)
            named.append(Choice(name=name, text=line.group(1).strip() if line else ""))
            known.add(name)
    schemas = {c.name: _schema(instructions, c) for c in named}
    return named, schemas


def _schema(instructions: str, tool: Choice) -> dict[str, Any]:
    """``Tool Args:`` JSON schema after the tool's name, else its ``name(a: int)``
    signature, else one string ``input``."""
    start = instructions.find(tool.name)
    following = instructions[start : start + 4000] if start >= 0 else ""
    for _, value in prompt_json.json_values(following)[:1]:
        if isinstance(value, dict) and isinstance(value.get("properties"), dict):
            return value
    signature = _SIGNATURE.search(tool.text)
    params = _PARAM.findall(signature.group(1)) if signature else []
    if params:
        props = {n: {"type": _JSON_TYPES.get(t, "string")} for n, t in params}
        return {"type": "object", "properties": props, "required": [n for n, _ in params]}
    return {"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}


def read_state(instructions: str, question_text: str, after: str) -> ReactState:
    """``question_text`` is the user's question turn; ``after`` is everything the agent
    added since (its own actions and the observations)."""
    tools, schemas = _tools(instructions)
    marker = list(_QUESTION.finditer(question_text))
    question = marker[-1].group(1).strip() if marker else question_text.strip()
    if marker:
        after = question_text[marker[-1].end() :] + "\n" + after
    state = ReactState(question=question, tools=tools, schemas=schemas)
    state.called = [m.group(1) for m in _ACTION.finditer(after)]
    state.observations = [m.group(1).strip() for m in _OBSERVATION.finditer(after)]
    state.final_label = "Final Answer" if "Final Answer" in instructions else "Answer"
    input_spec = instructions[instructions.find("Action Input") :][:400]
    state.json_input = "json" in input_spec.lower() or bool(
        any("properties" in s and "input" not in s["properties"] for s in schemas.values())
    )
    return state


def next_tool(state: ReactState) -> Choice | None:
    """The first tool (in the question's order) that the question refers to and that has
    not been called yet."""
    ranked = choices.rank(state.tools, state.question)
    for tool in choices.in_question_order(ranked):
        if tool.name not in state.called:
            return tool
    return None


def reply(state: ReactState, answer: str) -> str:
    tool = next_tool(state)
    if tool is None:
        if state.observations:
            final = " ".join(
                _result(name, obs)
                for name, obs in zip(state.called, state.observations, strict=False)
            )
        else:
            final = answer
        return f"Thought: I can answer without using any more tools.\n{state.final_label}: {final}"
    numbers = [n for obs in reversed(state.observations) for n in textutil.numbers(obs)]
    numbers += textutil.numbers(state.question)
    ctx = schema_fill.FillContext.from_text(state.question, numbers=numbers)
    schema = state.schemas.get(tool.name) or {}
    args = schema_fill.fill(schema, schema, ctx)
    if state.json_input:
        action_input = json.dumps(args if isinstance(args, dict) else {}, ensure_ascii=False)
    else:
        values = list(args.values()) if isinstance(args, dict) else []
        action_input = str(values[0]) if len(values) == 1 else state.question
    return (
        f"Thought: I need to use a tool to help me answer the question.\n"
        f"Action: {tool.name}\nAction Input: {action_input}"
    )


def _result(name: str, observation: str) -> str:
    end = "" if observation.endswith((".", "!", "?")) else "."
    return f"The result of {name} is {observation}{end}"
