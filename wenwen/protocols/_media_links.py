"""Media that image and video models return as markdown links inside the reply text.

Wenwen's image models answer ``![图片](https://….png)`` and its video models
``[下载视频](https://….mp4)`` (the relay's "生成图片" and "生成视频" chat pages,
https://wenwen-ai.apifox.cn/305813174e0 and https://wenwen-ai.apifox.cn/357807776e0). ``add_linked_media`` keeps the text
as it is and adds an ``ImagePart`` / ``VideoPart`` after each text part that links media, once
per URL, so applying it twice changes nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..types import ImagePart, Part, TextPart, VideoPart

# ``![alt](url)`` or ``[text](url)``, with an optional ``"title"`` after the URL; ``<url>``
# (the markdown form for URLs with spaces) is accepted too.
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<label>[^\]]*)\]\(\s*(?:<(?P<angled>[^>]+)>|(?P<bare>[^)\s]+))"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)

_VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".m3u8": "application/vnd.apple.mpegurl",
}


def video_media_type(url: str) -> str | None:
    """The media type of a video URL judged by its path's extension, or ``None``."""
    path = urlsplit(url).path.lower()
    for extension, media_type in _VIDEO_TYPES.items():
        if path.endswith(extension):
            return media_type
    return None


def linked_media(text: str) -> list[ImagePart | VideoPart]:
    """Images (``![..](url)``) and videos (a link to a video file) linked in ``text``."""
    found: list[ImagePart | VideoPart] = []
    for match in _LINK.finditer(text):
        url = match.group("angled") or match.group("bare")
        media_type = video_media_type(url)
        if media_type is not None:
            found.append(VideoPart(url=url, media_type=media_type))
        elif match.group("bang"):
            found.append(ImagePart(url=url))
    return found


def add_linked_media(parts: list[Part]) -> list[Part]:
    """``parts`` with the media linked in each text part inserted right after it."""
    seen: set[str | None] = {p.url for p in parts if isinstance(p, ImagePart | VideoPart)}
    out: list[Part] = []
    for part in parts:
        out.append(part)
        if not isinstance(part, TextPart):
            continue
        for media in linked_media(part.text):
            if media.url not in seen:
                seen.add(media.url)
                out.append(media)
    return out
