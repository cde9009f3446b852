"""Shared pieces of the compat tests: the structured-output class and the tool."""

from __future__ import annotations

from pydantic import BaseModel


class Person(BaseModel):
    name: str
    age: int


ALICE = Person(name="Alice Smith", age=30)


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."
