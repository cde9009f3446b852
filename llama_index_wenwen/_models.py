"""LlamaIndex's ``LLMMetadata`` from the core's model-family table (``wenwen.profiles``).

The relay accepts any model name, so an unknown name never raises: it gets the core's
conservative profile (override ``context_window`` for a model the table does not know).
"""

from __future__ import annotations

from llama_index.core.base.llms.types import LLMMetadata

from wenwen.profiles import model_profile


def llm_metadata(
    model: str,
    *,
    context_window: int | None,
    max_tokens: int | None,
    is_chat_model: bool,
    is_function_calling_model: bool,
) -> LLMMetadata:
    """Explicit settings win; the family's limits and tool support fill the rest."""
    profile = model_profile(model)
    return LLMMetadata(
        context_window=context_window or profile.context_window,
        num_output=max_tokens or profile.max_output,
        is_chat_model=is_chat_model,
        is_function_calling_model=is_function_calling_model and profile.tool_calling,
        model_name=model,
    )
