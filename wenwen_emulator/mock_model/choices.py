"""Choices a prompt offers (numbered items, named tools) ranked by relevance to the question.

A selector prompt lists ``(1) …``/``1. …`` items, a sub-question prompt a JSON object of
tool names and descriptions, a ReAct prompt ``Tool Name:``/``Tool Description:`` lines. The
mock model picks among them by the content words they share with the question, never by
their position (ties keep the prompt's order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from . import textutil


@dataclass(frozen=True)
class Choice:
    name: str
    """The tool or option name (the number as text for a numbered item)."""
    text: str
    number: int | None = None
    score: float = 0.0
    position: int = -1
    """Where the question first refers to this choice (-1: nowhere)."""


_NUMBERED = re.compile(r"(?m)^[ \t]*(?:\((\d{1,3})\)|(\d{1,3})[.)])[ \t]+(\S[^\n]*)$")
_TOOL_NAME = re.compile(r"(?m)^[>\s]*Tool Name:\s*(\S+)\s*$")
_TOOL_DESCRIPTION = re.compile(r"(?ms)Tool Description:\s*(.*?)(?=^[>\s]*Tool (?:Args|Name):|\Z)")
_WORD_SPLIT = re.compile(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> str:
    """``get_stockPrice`` → ``get stock Price`` (identifier words, for matching prose)."""
    return " ".join(_WORD_SPLIT.findall(name))


def numbered(text: str) -> list[Choice]:
    """The last run of items numbered 1, 2, 3, … (at least two)."""
    runs: list[list[Choice]] = []
    for match in _NUMBERED.finditer(text):
        number = int(match.group(1) or match.group(2))
        item = Choice(name=str(number), text=match.group(3).strip(), number=number)
        if number == 1:
            runs.append([item])
        elif runs and runs[-1][-1].number == number - 1:
            runs[-1].append(item)
    runs = [run for run in runs if len(run) >= 2]
    return runs[-1] if runs else []


def named(text: str) -> list[Choice]:
    """``Tool Name:`` blocks, else the last JSON object whose values are all descriptions."""
    names = _TOOL_NAME.findall(text)
    if names:
        descriptions = [d.strip() for d in _TOOL_DESCRIPTION.findall(text)]
        descriptions += [""] * (len(names) - len(descriptions))
        return [Choice(name=n, text=d) for n, d in zip(names, descriptions, strict=False)]
    decoder = json.JSONDecoder()
    found: list[Choice] = []
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if (
            isinstance(value, dict)
            and len(value) >= 2
            and all(isinstance(k, str) and re.fullmatch(r"[\w.-]+", k) for k in value)
            and all(isinstance(v, str) and " " in v for v in value.values())
        ):
            found = [Choice(name=k, text=v) for k, v in value.items()]
    return found


def offered(text: str) -> list[Choice]:
    """The choices ``text`` offers: numbered items, else named ones."""
    return numbered(text) or named(text)


def rank(choices: list[Choice], question: str) -> list[Choice]:
    """``choices`` scored by the content words they share with ``question``, best first."""
    wanted = textutil.content_words(question)
    vocab = [textutil.content_words(f"{name_words(c.name)} {c.text}") for c in choices]
    # a word every choice has ("useful", "team") tells them apart no better than none
    common = set.intersection(*vocab) if len(vocab) > 1 else set()
    scored = []
    for index, choice in enumerate(choices):
        words = vocab[index] - common
        score = float(textutil.overlap(wanted, words))
        position = _first_reference(question, words)
        named_at = textutil.mentions(question, choice.name) if not choice.name.isdigit() else -1
        if named_at >= 0:
            score += 2  # named outright
            position = named_at if position < 0 else min(position, named_at)
        scored.append((-score, index, replace(choice, score=score, position=position)))
    return [choice for _, _, choice in sorted(scored, key=lambda item: (item[0], item[1]))]


def relevant(choices: list[Choice], question: str) -> list[Choice]:
    """The choices that share something with the question (best first); the best one alone
    when none does."""
    ranked = rank(choices, question)
    hits = [c for c in ranked if c.score > 0]
    return hits or ranked[:1]


def _first_reference(question: str, words: set[str]) -> int:
    positions = [
        m.start()
        for m in re.finditer(r"\w+", question)
        if textutil.overlap(textutil.content_words(m.group()), words)
    ]
    return min(positions, default=-1)


def in_question_order(ranked: list[Choice]) -> list[Choice]:
    """Relevant choices in the order the question refers to them ("look up X, then Y")."""
    hits = [c for c in ranked if c.score > 0]
    return sorted(hits, key=lambda c: c.position if c.position >= 0 else 1 << 30)
