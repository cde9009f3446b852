# ruff: noqa: RUF001  (curly quotes are intended)
"""Generate a JSON value that is valid for a JSON schema, using values found in a message.

Used for tool-call arguments and for ``response_format`` structured output. The generator
understands ``type`` (also lists), ``properties``/``required``, ``items``/``prefixItems``,
``enum``/``const``, ``anyOf``/``oneOf``/``allOf``, ``$ref`` into ``$defs``/``definitions``,
``default``, numeric bounds, string lengths and common string formats.

When the prompt offers choices (:mod:`.choices`), an array of objects gets one element per
relevant choice, and within an element the choice fills the fields that name it: a number
field such as ``choice``/``index`` its number, a name field its name, a question field a
sub-question about it, a reason field why it fits.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from . import textutil
from .choices import Choice, name_words

LOCATION_NAMES = frozenset(
    {
        "location",
        "city",
        "place",
        "address",
        "country",
        "region",
        "town",
        "destination",
        "origin",
        "where",
        "area",
        "state",
    }
)
ANSWER_NAMES = frozenset(
    {
        "answer",
        "response",
        "reply",
        "text",
        "content",
        "summary",
        "explanation",
        "result",
        "output",
        "setup",
        "punchline",
        "description",
        "reasoning",
        "final_answer",
        "message",
        "joke",
        "title",
        "sentence",
        "thought",
        "comment",
    }
)
_FORMATS = {
    "date": "2025-01-01",
    "date-time": "2025-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
MAX_DEPTH = 8
_CHOICE_NUMBER = re.compile(r"(?i)choice|index|option|selection|idx|rank|number|^id$")
_CHOICE_NAME = re.compile(r"(?i)tool|name|choice|option|category|label|route|selection|source")
_SUB_QUESTION = re.compile(r"(?i)question|query|task|subquery")
_REASON = re.compile(r"(?i)reason|explanation|why|rationale|justification")
_LEAD_VERBS = re.compile(
    r"(?i)^(?:please\s+)?(?:compare(?:\s+and\s+contrast)?|contrast|tell me|explain|describe|"
    r"find(?: out)?|look up|give me|show me|and|with|versus|vs\.?|against|to)\s+"
)


@dataclass
class FillContext:
    """Where values come from. ``answer`` is used for answer-like strings in JSON mode."""

    text: str
    answer: str = ""
    json_mode: bool = False
    quotes: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    next_quote: int = 0
    next_number: int = 0
    choices: list[Choice] = field(default_factory=list)
    """Relevant choices, best first (:func:`.choices.relevant`)."""
    question: str = ""
    choice: Choice | None = None
    """The choice the element being filled is about."""

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        answer: str = "",
        json_mode: bool = False,
        choices: list[Choice] | None = None,
        question: str = "",
        numbers: list[float] | None = None,
    ) -> FillContext:
        return cls(
            text=text,
            answer=answer,
            json_mode=json_mode,
            quotes=_quotes_question_first(question, text),
            numbers=textutil.numbers(text) if numbers is None else numbers,
            choices=list(choices or []),
            question=question or text,
        )

    def current_choice(self) -> Choice | None:
        return self.choice or (self.choices[0] if self.choices else None)

    def take_quote(self) -> str | None:
        if self.next_quote < len(self.quotes):
            self.next_quote += 1
            return self.quotes[self.next_quote - 1]
        return None

    def take_number(self) -> float | None:
        if self.next_number < len(self.numbers):
            self.next_number += 1
            return self.numbers[self.next_number - 1]
        return self.numbers[0] if self.numbers else None


def _quotes_question_first(question: str, text: str) -> list[str]:
    """The values quoted in the question, then those quoted elsewhere in the message."""
    found = textutil.quotes(question) if question else []
    return found + [q for q in textutil.quotes(text) if q not in found]


def fill(schema: Any, root: Any, ctx: FillContext) -> Any:
    """A value valid for ``schema`` (``root`` resolves ``$ref``)."""
    return _fill(schema, root, ctx, "", 0)[0]


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def schema_problem(schema: Any, where: str = "") -> str | None:
    """Why ``schema`` is not a JSON schema a relay would accept (a keyword holding the wrong
    kind of value), or ``None``. Upstreams answer such a schema with a 400."""
    label = where or "the schema"
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return f"{label} is {type(schema).__name__}, not an object"
    kind = schema.get("type")
    if kind is not None and not isinstance(kind, str | list):
        return f"{where}.type is {type(kind).__name__}, not a string"
    for key in ("required", "enum"):
        if key in schema and not isinstance(schema[key], list):
            return f"{where}.{key} is {type(schema[key]).__name__}, not an array"
    for key in _SCHEMA_MAPS:
        if key in schema:
            value = schema[key]
            if not isinstance(value, dict):
                return f"{where}.{key} is {type(value).__name__}, not an object"
            for name, sub in value.items():
                problem = schema_problem(sub, f"{where}.{key}.{name}")
                if problem:
                    return problem
    for key in _SCHEMA_LISTS:
        if key in schema:
            value = schema[key]
            if not isinstance(value, list):
                return f"{where}.{key} is {type(value).__name__}, not an array"
            for i, sub in enumerate(value):
                problem = schema_problem(sub, f"{where}.{key}[{i}]")
                if problem:
                    return problem
    for key in ("items", "additionalProperties", "not"):
        if key in schema and not isinstance(schema[key], bool):
            problem = schema_problem(schema[key], f"{where}.{key}")
            if problem:
                return problem
    return None


def _resolve(schema: Any, root: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        target: Any = root
        if isinstance(ref, str) and ref.startswith("#"):
            for part in ref[1:].split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, dict) else {}
        else:
            target = {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, dict) else rest
        seen += 1
    return schema


def _merge_all_of(schema: dict[str, Any], root: Any) -> dict[str, Any]:
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = _resolve(part, root)
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _pick_branch(branches: list[Any], root: Any) -> Any:
    for branch in branches:
        resolved = _resolve(branch, root)
        if not (isinstance(resolved, dict) and resolved.get("type") == "null"):
            return resolved
    return {"type": "null"}


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        non_null = [t for t in declared if t != "null"]
        return str(non_null[0]) if non_null else "null"
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _fill(schema: Any, root: Any, ctx: FillContext, name: str, depth: int) -> tuple[Any, bool]:
    """Return ``(value, found)``; ``found`` means the value came from the message."""
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return ("value" if schema is not False else None), False
    if "allOf" in schema:
        schema = _merge_all_of(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema and isinstance(schema[key], list) and schema[key]:
            branch = _pick_branch(schema[key], root)
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            if isinstance(branch, dict):
                rest.update(branch)
            return _fill(rest, root, ctx, name, depth)
    if "const" in schema:
        return copy.deepcopy(schema["const"]), False
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _fill_enum(schema["enum"], ctx)
    kind = _type_of(schema)
    if kind == "object":
        return _fill_object(schema, root, ctx, depth)
    if kind == "array":
        return _fill_array(schema, root, ctx, name, depth)
    if kind in ("integer", "number"):
        return _fill_number(schema, ctx, integer=kind == "integer", name=name)
    if kind == "boolean":
        default = schema.get("default")
        return (default if isinstance(default, bool) else True), False
    if kind == "null":
        return None, False
    return _fill_string(schema, ctx, name)


def _fill_enum(values: list[Any], ctx: FillContext) -> tuple[Any, bool]:
    best: tuple[int, Any] | None = None
    for value in values:
        if isinstance(value, str):
            pos = textutil.mentions(ctx.text, value)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, value)
    if best is not None:
        return best[1], True
    non_null = [v for v in values if v is not None]
    return (copy.deepcopy(non_null[0]) if non_null else None), False


def _fill_object(
    schema: dict[str, Any], root: Any, ctx: FillContext, depth: int
) -> tuple[dict[str, Any], bool]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    out: dict[str, Any] = {}
    found_any = False
    if depth >= MAX_DEPTH:
        props = {k: v for k, v in props.items() if k in required}
    for prop, sub in props.items():
        saved = (ctx.next_quote, ctx.next_number)
        value, found = _fill(sub, root, ctx, prop, depth + 1)
        if prop in required or found:
            out[prop] = value
            found_any = found_any or found
        else:
            ctx.next_quote, ctx.next_number = saved
    return out, found_any


def _fill_array(
    schema: dict[str, Any], root: Any, ctx: FillContext, name: str, depth: int
) -> tuple[list[Any], bool]:
    max_items = schema.get("maxItems")
    if depth >= MAX_DEPTH or max_items == 0:
        return [], False
    prefix = schema.get("prefixItems") or []
    items = schema.get("items", {})
    per_choice = bool(ctx.choices) and ctx.choice is None and not prefix
    count = max(1, int(schema.get("minItems") or 0), len(prefix))
    if per_choice and _type_of(_resolve(items, root) if isinstance(items, dict) else {}) in (
        "object",
        "integer",
    ):
        count = max(count, len(ctx.choices))
    else:
        per_choice = False
    if isinstance(max_items, int):
        count = min(count, max_items)
    out: list[Any] = []
    found_any = False
    for i in range(count):
        sub = prefix[i] if i < len(prefix) else (items if isinstance(items, dict) else {})
        if per_choice:
            ctx.choice = ctx.choices[i % len(ctx.choices)]
        value, found = _fill(sub, root, ctx, name, depth + 1)
        out.append(value)
        found_any = found_any or found
    if per_choice:
        ctx.choice = None
    return out, found_any


def _fill_number(
    schema: dict[str, Any], ctx: FillContext, *, integer: bool, name: str = ""
) -> tuple[int | float, bool]:
    chosen = ctx.current_choice() if _CHOICE_NUMBER.search(name) else None
    if chosen is not None and chosen.number is not None:
        return chosen.number, True
    number = _number_named(ctx.question, name)
    if number is None:
        number = ctx.take_number()
    elif number in ctx.numbers[ctx.next_number :]:  # used here: not for the next field
        ctx.numbers.pop(ctx.numbers.index(number, ctx.next_number))
    found = number is not None
    if number is None:
        default = schema.get("default")
        number = float(default) if isinstance(default, int | float) else 0.0
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, int | float) and number < low:
        number = float(low) + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(high, int | float) and number > high:
        number = float(high) - (
            1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0
        )
    if integer:
        return int(number), found
    return float(number), found


def _fill_string(schema: dict[str, Any], ctx: FillContext, name: str) -> tuple[str, bool]:
    lname = name.lower()
    fmt = schema.get("format")
    value: str | None = None
    found = False
    if isinstance(fmt, str) and fmt in _FORMATS:
        value = _FORMATS[fmt]
    elif lname in LOCATION_NAMES or lname.endswith(("_location", "_city")):
        value = textutil.location(ctx.question) or ctx.take_quote()
        found = value is not None
    if value is None and ctx.choices:
        value = _choice_string(ctx, lname)
        found = value is not None
    if value is None:
        value = _quote_named(ctx.question, name) or _quote_named(ctx.text, name)
        found = value is not None
    if value is None and ctx.json_mode and lname in ANSWER_NAMES and ctx.answer:
        value, found = ctx.answer, True
    if value is None:
        value = ctx.take_quote()
        found = value is not None
    if value is None:
        default = schema.get("default")
        value = default if isinstance(default, str) else textutil.keyword(ctx.text)
    min_len, max_len = schema.get("minLength"), schema.get("maxLength")
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    return value, found


def _choice_string(ctx: FillContext, name: str) -> str | None:
    choice = ctx.current_choice()
    if choice is None:
        return None
    if _SUB_QUESTION.search(name):
        return sub_question(ctx.question, choice)
    if _REASON.search(name):
        return f"It is the most relevant to the question: {choice.text}"
    if _CHOICE_NAME.search(name) and not choice.name.isdigit():
        return choice.name
    return None


def sub_question(question: str, choice: Choice) -> str:
    """The part of ``question`` that ``choice`` answers, as a question of its own."""
    parts = re.split(r"(?i)\s*(?:,|;|\band\b|\bwith\b|\bversus\b|\bvs\.?|\bthen\b)\s+", question)
    wanted = textutil.content_words(f"{name_words(choice.name)} {choice.text}")
    best = max(parts, key=lambda p: textutil.overlap(textutil.content_words(p), wanted))
    clause = best.strip().rstrip("?.!")
    while (stripped := _LEAD_VERBS.sub("", clause)) != clause:
        clause = stripped
    if re.match(r"(?i)(?:what|who|when|where|which|why|how|is|are|do|does|can)\b", clause):
        return clause + "?"
    return f"What is {clause}?"


def _field_words(name: str) -> list[str]:
    return [w.lower() for w in name_words(name).split() if len(w) > 2]


def _quote_named(text: str, name: str) -> str | None:
    """A quoted value right after the field's name: ``the artist 'Wendy Carlos'``."""
    for word in _field_words(name):
        pattern = (
            rf"(?i)\b{re.escape(word)}s?\b\W{{0,3}}(?:\w+\s+){{0,2}}['\"“‘]([^'\"”’\n]+)['\"”’]"
        )
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip()
    return None


def _number_named(text: str, name: str) -> float | None:
    """A number right next to a word of the field's name: ``180 seconds``, ``age of 40``."""
    for word in _field_words(name):
        pattern = (
            rf"(?i)(?<![\w.])([-+]?\d+(?:\.\d+)?)\s+{re.escape(word)}"
            rf"|\b{re.escape(word)}s?\s+(?:of\s+|is\s+|=\s*|:\s*)?([-+]?\d+(?:\.\d+)?)(?![\w])"
        )
        match = re.search(pattern, text)
        if match:
            return float(match.group(1) or match.group(2))
    return None
