"""LangChain tools over the Wenwen relay's media endpoints (``content_and_artifact``)."""

from ._base import WenwenBaseTool, audio_block, image_block
from .audio import WenwenSpeechToTextTool, WenwenTextToSpeechTool
from .images import WenwenImageEditTool, WenwenImageGenerationTool
from .midjourney import WenwenMidjourneyTool
from .video import WenwenVideoGenerationTool

__all__ = [
    "WenwenBaseTool",
    "WenwenImageEditTool",
    "WenwenImageGenerationTool",
    "WenwenMidjourneyTool",
    "WenwenSpeechToTextTool",
    "WenwenTextToSpeechTool",
    "WenwenVideoGenerationTool",
    "audio_block",
    "image_block",
]
