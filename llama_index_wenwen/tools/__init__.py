"""LlamaIndex tools over the Wenwen relay's media endpoints.

``WenwenToolSpec`` is assembled from tool groups (``ImageTools``, ``AudioTools``, ...): each
group is a mixin listing its ``(sync, async)`` operations and settings, so more groups can be
added by listing them in the spec's bases.

    from llama_index_wenwen.tools import WenwenToolSpec
    tools = WenwenToolSpec(output_dir="out").to_tool_list()
"""

from ._base import ToolGroup, WenwenConnection, WenwenToolSpecBase
from .audio import AudioTools
from .images import ImageTools


class WenwenToolSpec(ImageTools, AudioTools, WenwenToolSpecBase):
    """Images (generate, edit) and audio (speak, transcribe) as FunctionTools.

    Options: ``image_model``, ``edit_model``, ``image_quality``, ``image_response_format``,
    ``speech_model``, ``voice``, ``speech_format``, ``transcription_model``; ``groups``
    picks a subset (``["images"]``); ``output_dir`` also saves results as files.
    """


__all__ = [
    "AudioTools",
    "ImageTools",
    "ToolGroup",
    "WenwenConnection",
    "WenwenToolSpec",
    "WenwenToolSpecBase",
]
