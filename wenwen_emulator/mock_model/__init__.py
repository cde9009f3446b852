"""The deterministic mock model: pure functions from a neutral prompt to a neutral reply.

Every chat route (OpenAI chat completions, Responses, Anthropic Messages, Gemini) translates
its wire format into a :class:`Prompt` and the :class:`Reply` back to its wire, so the rules
below hold the same on every protocol. They are what a user's own tests can rely on.

Text
  Replies are extractive: the sentence of the conversation sharing the most content words
  with the question (the last user message, or the text after ``Query:``/``Question:``).
  Ties go to the earliest sentence; no overlap gives :data:`FALLBACK`; a conversation without
  any other sentence gives :data:`GREETING`. "When"/"how many" questions prefer sentences with
  numbers. Images in the last user message add ``"I see N image(s). "`` in front; so do images
  in the tool results being answered. ``stop`` sequences cut the text, ``max_tokens`` too
  (finish ``length``).

Tools
  A tool is called when the last user message mentions it (its name, the name with spaces,
  or half the non-generic words of the name) or when a call is forced. Arguments come from
  :mod:`.schema_fill`. A tool whose required numbers are not in the conversation yet waits
  while another named tool runs; after tool results the tools named but not called yet are
  called next (multi-step agents, arguments preferring the results' numbers); when none is
  left the reply states the results (``The result of NAME is ...``).

  Forced calls: a call forced by name always goes to that tool. A call forced without a name
  (OpenAI ``tool_choice: "required"``, Anthropic ``{"type": "any"}``, Gemini mode ``ANY``)
  goes to an offered tool that has no result yet (one the question names, else the first);
  once every offered tool has a result the model answers instead of calling again, so an
  agent that forces tools (an output tool, a tool loop) always ends.

Structured output and JSON
  For ``json_schema`` response formats (OpenAI ``response_format``, Responses ``text.format``,
  Anthropic ``output_config.format`` / beta ``output_format``, Gemini ``responseJsonSchema`` /
  ``responseSchema``), for ``json_object`` / ``application/json``, and whenever the prompt asks
  for JSON in prose, the reply is JSON valid for the schema: the one given, else the one the
  prompt shows, else its labelled example (loose JSON and ``{{ }}``-doubled braces accepted),
  else the keys it names (:mod:`.prompt_json`). Values come from the prompt's content, never
  its format instructions: a quoted value is taken whole (``"Alice Smith"`` fills a name
  field with ``Alice Smith``), a number next to a field's name fills that field, a place after
  in/for/at fills a location. Choices the prompt offers (numbered items, tool names) are
  picked by relevance to the question (:mod:`.choices`).

ReAct
  Prompts that define the ReAct ``Action:``/``Action Input:`` format get it (:mod:`.react`).

Reasoning
  Reasoning models (and requests that turn thinking on) get a deterministic thought text
  before the answer.

Scripts
  ``Emulator.script(...)`` replaces the next replies with ones a test wrote (see
  :mod:`wenwen_emulator.script`); the rules above apply again once the script is used up.
"""

from __future__ import annotations

from .model import (
    FALLBACK,
    GREETING,
    Prompt,
    Reply,
    ToolCall,
    ToolSpec,
    Turn,
    extractive_answer,
    generate,
    last_user_index,
    prompt_tokens,
    stable_hex,
)

__all__ = [
    "FALLBACK",
    "GREETING",
    "Prompt",
    "Reply",
    "ToolCall",
    "ToolSpec",
    "Turn",
    "extractive_answer",
    "generate",
    "last_user_index",
    "prompt_tokens",
    "stable_hex",
]
