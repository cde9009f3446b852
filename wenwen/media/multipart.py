"""Uploads: files given as paths, bytes or file objects, checked before any request, and the
``multipart/form-data`` body they travel in.

A file is read and checked once (missing, empty, wrong type, over the size limit → an
``InvalidFileError`` naming the file and the problem); the encoded body is plain bytes, so
every retry sends it whole again.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeAlias

from ..errors import InvalidFileError

FileInput: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | IO[bytes]"
"""A file to upload: a path, its bytes, or a binary file object (read from its position)."""

# (media type, extensions, how the content starts); RIFF/ftyp need a second look, see _sniff
_SIGNATURES: list[tuple[str, tuple[str, ...], tuple[bytes, ...]]] = [
    ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    ("image/gif", (".gif",), (b"GIF87a", b"GIF89a")),
    ("audio/flac", (".flac",), (b"fLaC",)),
    ("audio/ogg", (".ogg", ".oga", ".opus"), (b"OggS",)),
    ("audio/mpeg", (".mp3", ".mpga", ".mpeg"), (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ("audio/webm", (".webm",), (b"\x1a\x45\xdf\xa3",)),
]
_BY_EXTENSION = {ext: kind for kind, exts, _ in _SIGNATURES for ext in exts} | {
    ".webp": "image/webp",
    ".wav": "audio/wav",
    ".mp4": "audio/mp4",
    ".m4a": "audio/mp4",
}


def sniff(content: bytes) -> str | None:
    """The media type ``content`` starts like, if it is one we know."""
    if content[:4] == b"RIFF" and content[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if content[8:12] == b"WEBP" else "audio/wav"
    if content[4:8] == b"ftyp":
        return "audio/mp4"
    for kind, _, starts in _SIGNATURES:
        if content.startswith(starts):
            return kind
    return None


@dataclass(frozen=True)
class Upload:
    """A checked file ready to send."""

    filename: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class FileRule:
    """What a field accepts: media types, a size limit and how to name the field in errors."""

    what: str
    media_types: frozenset[str]
    max_bytes: int

    def describe_types(self) -> str:
        return ", ".join(sorted(t.split("/")[1] for t in self.media_types))


def _read(value: Any, what: str) -> tuple[bytes, str | None]:
    if isinstance(value, bytes | bytearray):
        return bytes(value), None
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        if not path.is_file():
            raise InvalidFileError(f"{what} {str(path)!r} does not exist or is not a file")
        return path.read_bytes(), path.name
    read = getattr(value, "read", None)
    if callable(read):
        content = read()
        if isinstance(content, str):
            raise InvalidFileError(f"{what} was opened in text mode; open it with 'rb'")
        name = getattr(value, "name", None)
        return bytes(content), Path(name).name if isinstance(name, str) else None
    raise InvalidFileError(
        f"{what} must be a path, bytes or a binary file object, not {type(value).__name__}"
    )


def load_upload(value: FileInput, rule: FileRule, *, default_name: str) -> Upload:
    """Read and check one file against ``rule``; raises ``InvalidFileError``."""
    content, name = _read(value, rule.what)
    label = f"{rule.what} {name!r}" if name else rule.what
    if not content:
        raise InvalidFileError(f"{label} is empty")
    if len(content) > rule.max_bytes:
        raise InvalidFileError(
            f"{label} is {len(content)} bytes; the limit is {rule.max_bytes} bytes "
            f"({rule.max_bytes // (1024 * 1024)} MB)"
        )
    kind = sniff(content) or _BY_EXTENSION.get(Path(name or "").suffix.lower())
    if kind not in rule.media_types:
        found = f"looks like {kind}" if kind else "is not a recognised media file"
        raise InvalidFileError(f"{label} {found}; expected one of: {rule.describe_types()}")
    if not name:
        name = default_name + _extension(kind)
    return Upload(filename=name, content=content, media_type=kind)


def _extension(media_type: str) -> str:
    for ext, kind in _BY_EXTENSION.items():
        if kind == media_type:
            return ext
    return ""


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class MultipartForm:
    """Ordered text fields and files; ``encode`` makes the body and its content type."""

    fields: list[tuple[str, str]]
    files: list[tuple[str, Upload]]

    @classmethod
    def of(cls, fields: Mapping[str, Any], files: Iterable[tuple[str, Upload]]) -> MultipartForm:
        """Fields whose value is ``None`` are left out; lists become repeated ``name[]``."""
        pairs: list[tuple[str, str]] = []
        for name, value in fields.items():
            if value is None:
                continue
            if isinstance(value, list | tuple):
                pairs.extend((f"{name}[]", _form_value(v)) for v in value)
            else:
                pairs.append((name, _form_value(value)))
        return cls(pairs, list(files))

    def encode(self, boundary: str | None = None) -> tuple[bytes, str]:
        boundary = boundary or f"wenwen-{secrets.token_hex(16)}"
        out = bytearray()
        for name, value in self.fields:
            out += _part_head(boundary, f'name="{_quote(name)}"')
            out += value.encode() + b"\r\n"
        for name, upload in self.files:
            disposition = f'name="{_quote(name)}"; filename="{_quote(upload.filename)}"'
            out += _part_head(boundary, disposition, upload.media_type)
            out += upload.content + b"\r\n"
        out += f"--{boundary}--\r\n".encode()
        return bytes(out), f"multipart/form-data; boundary={boundary}"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _part_head(boundary: str, disposition: str, media_type: str | None = None) -> bytes:
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n"
    if media_type:
        head += f"Content-Type: {media_type}\r\n"
    return (head + "\r\n").encode()


__all__ = ["FileInput", "FileRule", "MultipartForm", "Upload", "load_upload", "sniff"]
