"""LangChain tools over the Wenwen relay's media endpoints (``content_and_artifact``)."""

from ._base import WenwenBaseTool, audio_block, image_block
from .audio import WenwenSpeechToTextTool, WenwenTextToSpeechTool
from .images import WenwenImageEditTool, WenwenImageGenerationTool

__all__ = [
    "WenwenBaseTool",
    "WenwenImageEditTool",
    "WenwenImageGenerationTool",
    "WenwenSpeechToTextTool",
    "WenwenTextToSpeechTool",
    "audio_block",
    "image_block",
]
