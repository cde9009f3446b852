"""LangChain's ``ModelProfile`` from the core's model-family table (``wenwen.profiles``)."""

from __future__ import annotations

from langchain_core.language_models import ModelProfile


def langchain_profile(model: str) -> ModelProfile:
    """What ``create_agent`` (structured-output strategy) and ``SummarizationMiddleware``
    (fraction triggers need ``max_input_tokens``) read from ``ChatWenwen.profile``."""
    from wenwen.profiles import model_profile  # the family table loads on first use

    family = model_profile(model)
    return ModelProfile(
        max_input_tokens=family.context_window,
        max_output_tokens=family.max_output,
        text_inputs=True,
        text_outputs=True,
        tool_calling=family.tool_calling,
        tool_choice=family.tool_calling,
        tool_call_streaming=family.tool_calling,
        structured_output=family.structured_output,
        image_inputs=family.image_input,
        image_url_inputs=family.image_input,
        audio_inputs=family.audio_input,
        pdf_inputs=family.pdf_input,
        image_outputs=family.image_output,
        reasoning_output=family.reasoning,
    )
