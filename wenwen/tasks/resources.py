"""``client.videos`` and ``client.midjourney`` (sync) and their async twins.

Everything they decide comes from ``video``, ``midjourney`` and the engine; these classes only
send requests, sleep between polls and write files.
"""

from ._common import WaitOptions
from ._midjourney_resource import AsyncMidjourney, Midjourney
from ._video_resource import AsyncVideos, GeneratedVideo, Videos

__all__ = [
    "AsyncMidjourney",
    "AsyncVideos",
    "GeneratedVideo",
    "Midjourney",
    "Videos",
    "WaitOptions",
]
