"""Where downloaded bytes go and what they must be (sans-IO): the size bound, the file sink that
only renames a complete file into place, the safe target name, and the media-kind check.

Shared by the key-less download path (``wenwen.media.download``) and the relay's own content
routes (``wenwen.tasks``), so every body is bounded, checked and written the same way.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from ..errors import DownloadContentError, DownloadTooLargeError
from .content import MediaKind, kind_of, matches_kind, sniff
from .names import inside, safe_filename

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_VIDEO_BYTES = 10 * DEFAULT_MAX_BYTES
"""A video saved to disk may be this large, whichever route (content route or result URL)
serves it; a body read into memory keeps ``DEFAULT_MAX_BYTES``."""
# mimetypes' tables differ between systems (audio/wav is missing on some)
MEDIA_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/flac": ".flac",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/pcm": ".pcm",
    "video/mp4": ".mp4",
}
# types storage services give any file; the magic bytes then decide alone
_GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/binary"}
)
# container types that carry another kind than their major type says
_ALSO_ACCEPTED: dict[str, frozenset[str]] = {
    "audio": frozenset({"video/mp4", "video/webm", "application/ogg"}),
    "video": frozenset({"application/mp4"}),
}
SNIFF_BYTES = 16


class SizeBound:
    """Counts bytes against a limit; checks a declared ``Content-Length`` before any byte."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.size = 0

    def check_declared(self, headers: Mapping[str, str]) -> None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large(int(declared))

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self._too_large(self.size)

    def _too_large(self, size: int) -> DownloadTooLargeError:
        return DownloadTooLargeError(
            f"download of {self.url} is larger than the {self.limit}-byte limit "
            f"({size} bytes or more)",
            url=self.url,
        )


class MediaCheck:
    """The body must be of the ``expected`` kind: its declared type (when specific) and its
    first bytes (WHATWG sniffing, ``wenwen.media.content``). ``None`` expects nothing."""

    def __init__(self, expected: MediaKind | None, url: str, *, sniff: bool = True) -> None:
        self.expected = expected
        self.url = url
        self.head = b""
        self.done = expected is None or not sniff  # raw PCM audio has no magic bytes

    def check_declared(self, content_type: str | None) -> None:
        if self.expected is None:
            return
        mime = (content_type or "").split(";")[0].strip().lower()
        if mime in _GENERIC_TYPES or kind_of(mime) == self.expected:
            return
        if mime in _ALSO_ACCEPTED.get(self.expected, frozenset()):
            return
        raise self._wrong(f"its content type is {mime!r}")

    def add(self, chunk: bytes) -> None:
        if self.done:
            return
        self.head += chunk[: SNIFF_BYTES - len(self.head)]
        if len(self.head) >= SNIFF_BYTES:
            self.finish()

    def finish(self) -> None:
        """Decide on what arrived (also for bodies shorter than the sniffing window)."""
        if self.done:
            return
        self.done = True
        assert self.expected is not None
        if not matches_kind(self.head, self.expected):
            found = sniff(self.head)
            described = f"starts like {found}" if found else "does not start like any media"
            raise self._wrong(f"its body {described} ({self.head[:8]!r}...)")

    def _wrong(self, why: str) -> DownloadContentError:
        return DownloadContentError(
            f"download of {self.url} is not {self.expected}: {why}", url=self.url
        )


class FileSink:
    """Writes to a temporary file beside ``path``; ``commit`` renames it into place, ``discard``
    removes it, so a failed transfer never leaves a partial file under the final name."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name[:40]}.", dir=self.path.parent)
        self._temp = Path(temp)
        self._file: IO[bytes] = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def commit(self) -> Path:
        self._file.close()
        os.replace(self._temp, self.path)
        return self.path

    def discard(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)


class SpeechCheck(MediaCheck):
    """The check of a speech reply, made once the body is complete (a transfer that breaks
    stays a transfer error): audio by its declared type, and by its bytes unless it is raw
    PCM, which has no signature."""

    def __init__(self, content_type: str | None, requested_format: str) -> None:
        super().__init__("audio", "/v1/audio/speech")
        self.content_type = content_type
        self.pcm = requested_format == "pcm" or (content_type or "").startswith("audio/pcm")

    def add(self, chunk: bytes) -> None:
        self.head += chunk[: SNIFF_BYTES - len(self.head)]

    def finish(self) -> None:
        self.check_declared(self.content_type)
        if not self.pcm:
            super().finish()


def speech_check(content_type: str | None, requested_format: str) -> SpeechCheck:
    return SpeechCheck(content_type, requested_format)


def type_extension(content_type: str | None) -> str:
    media_type = (content_type or "").split(";")[0].strip().lower()
    return MEDIA_EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or ".bin"


def target_path(dest: str | os.PathLike[str], url: str, content_type: str | None) -> Path:
    """``dest`` itself, or a file inside it when ``dest`` is an existing directory: named after
    the URL's last path segment (sanitized, shortened), else ``download`` plus the content
    type's extension; the file must resolve inside the directory."""
    path = Path(dest)
    if not path.is_dir():
        return path
    segment = "" if url.startswith("data:") else urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    name = safe_filename(segment, suffix=type_extension(content_type))
    return inside(path, name)


def content_filename(content: bytes, media_type: str) -> str:
    """A stable file name for a result: a digest of its bytes plus the type's extension (so
    saving the same result twice writes one file)."""
    digest = hashlib.sha256(content).hexdigest()[:16]
    return digest + MEDIA_EXTENSIONS.get(media_type.split(";")[0].strip(), ".bin")


__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_VIDEO_BYTES",
    "MEDIA_EXTENSIONS",
    "FileSink",
    "MediaCheck",
    "SizeBound",
    "content_filename",
    "speech_check",
    "target_path",
    "type_extension",
]
