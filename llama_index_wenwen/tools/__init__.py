"""LlamaIndex tools over the Wenwen relay's media endpoints.

``WenwenToolSpec`` is assembled from tool groups (``ImageTools``, ``AudioTools``, ...): each
group is a mixin listing its ``(sync, async)`` operations and settings, so more groups can be
added by listing them in the spec's bases.

    from llama_index_wenwen.tools import WenwenToolSpec
    tools = WenwenToolSpec(output_dir="out").to_tool_list()
"""

from ._base import ToolGroup, WenwenConnection, WenwenToolSpecBase
from .audio import AudioTools, SpokenAudio
from .images import ImageTools
from .midjourney import MidjourneyTools
from .video import VideoTools


class WenwenToolSpec(ImageTools, AudioTools, VideoTools, MidjourneyTools, WenwenToolSpecBase):
    """Images (generate, edit) and audio (speak, transcribe) as FunctionTools.
    Video (generate, resume by task id) and Midjourney (imagine, action, blend) wait for their
    tasks and report progress as ``WenwenTaskProgressEvent``s (options ``video_model``,
    ``video_route``, ``video_size``, ``mj_mode``, ``mj_path_mode``, ``mj_dimensions``,
    ``task_timeout``, ``task_wait``).

    Options: ``image_model``, ``edit_model``, ``image_quality``, ``image_response_format``,
    ``speech_model``, ``voice``, ``speech_format``, ``transcription_model``; ``groups``
    picks a subset (``["images"]``); ``output_dir`` also saves results as files.

    Functions that take a file path (``edit_image``, ``speech_to_text``, ``generate_video``,
    ``midjourney_blend``) read it only inside ``root_dir`` (a folder or a list) or
    ``output_dir``; anything else is a ``wenwen.errors.FileAccessError``.
    """


__all__ = [
    "AudioTools",
    "ImageTools",
    "MidjourneyTools",
    "SpokenAudio",
    "ToolGroup",
    "VideoTools",
    "WenwenConnection",
    "WenwenToolSpec",
    "WenwenToolSpecBase",
]
