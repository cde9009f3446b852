"""Shared pieces of the compat tests: the structured-output class and the tool."""

from __future__ import annotations

from pydantic import BaseModel

OPENAI_MODEL = "gpt-4o"
CLAUDE_MODEL = "claude-sonnet-4-5-20250929"
GEMINI_MODEL = "gemini-2.5-flash"
PERSON_PROMPT = 'Extract the person: "Alice Smith" is 30 years old.'
WEATHER_PROMPT = "What is the weather in Paris? Use get_weather."


class Person(BaseModel):
    name: str
    age: int


ALICE = Person(name="Alice Smith", age=30)


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."
