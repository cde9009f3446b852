"""Uploads: files given as paths, bytes or file objects, checked before any request, and the
``multipart/form-data`` body they travel in.

A file is read and checked once (missing, empty, wrong type by its bytes, over the size limit
by ``stat`` before reading → an ``InvalidFileError`` naming the file and the problem); the
encoded body is plain bytes, so every retry sends it whole again.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeAlias

from ..errors import InvalidFileError
from .arguments import check_text
from .content import sniff as content_sniff
from .content import suffix_for
from .uploads import read_path, read_stream

FileInput: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | IO[bytes]"
"""A file to upload: a path, its bytes, or a binary file object (read from its position)."""

# the sniffer names ISO BMFF and EBML containers as video; an audio field takes them as audio
_AUDIO_CONTAINERS = {"video/mp4": "audio/mp4", "video/webm": "audio/webm"}
_SUFFIXES = {"audio/webm": ".webm"}


def sniff(content: bytes) -> str | None:
    """The media type ``content`` starts like, if it is one we know (``wenwen.media.content``)."""
    return content_sniff(content[:16])


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

    def media_type_of(self, content: bytes) -> str | None:
        """The type the bytes announce, as this field names it (``None`` when unknown)."""
        kind = sniff(content)
        if kind not in self.media_types and _AUDIO_CONTAINERS.get(kind or "") in self.media_types:
            return _AUDIO_CONTAINERS[kind or ""]
        return kind


def _read(value: Any, rule: FileRule) -> tuple[bytes, str | None]:
    """The bytes of a path, bytes or binary file object; a path is sized by ``stat`` before
    it is read, a file object read with a bound (``wenwen.media.uploads``)."""
    what = rule.what
    if isinstance(value, bytes | bytearray):
        return bytes(value), None
    if isinstance(value, str | os.PathLike):
        content = read_path(value, max_bytes=rule.max_bytes, what=what)
        return content, Path(value).name
    if callable(getattr(value, "read", None)):
        name = getattr(value, "name", None)
        label = f"{what} {Path(name).name!r}" if isinstance(name, str) else what
        content = read_stream(value, max_bytes=rule.max_bytes, what=label)
        return content, Path(name).name if isinstance(name, str) else None
    raise InvalidFileError(
        f"{what} must be a path, bytes or a binary file object, not {type(value).__name__}",
        reason="not_a_file",
    )


def load_upload(value: FileInput, rule: FileRule, *, default_name: str) -> Upload:
    """Read and check one file against ``rule`` by its bytes (never its name's extension);
    raises ``InvalidFileError``."""
    content, name = _read(value, rule)
    label = f"{rule.what} {name!r}" if name else rule.what
    if not content:
        raise InvalidFileError(f"{label} is empty", reason="empty")
    if len(content) > rule.max_bytes:
        raise InvalidFileError(
            f"{label} is {len(content)} bytes; the limit is {rule.max_bytes} bytes "
            f"({rule.max_bytes // (1024 * 1024)} MB)",
            reason="too_large",
        )
    kind = rule.media_type_of(content)
    if kind is None or kind not in rule.media_types:
        found = f"looks like {kind}" if kind else "is not a recognised media file"
        raise InvalidFileError(
            f"{label} {found}; expected one of: {rule.describe_types()}", reason="wrong_kind"
        )
    if not name:
        name = default_name + suffix_for(kind, _SUFFIXES.get(kind, ""))
    return Upload(filename=name, content=content, media_type=kind)


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
            out += _field_bytes(name, value) + b"\r\n"
        for name, upload in self.files:
            disposition = f'name="{_quote(name)}"; filename="{_quote(upload.filename)}"'
            out += _part_head(boundary, disposition, upload.media_type)
            out += upload.content + b"\r\n"
        out += f"--{boundary}--\r\n".encode()
        return bytes(out), f"multipart/form-data; boundary={boundary}"


def _field_bytes(name: str, value: str) -> bytes:
    try:
        return value.encode()
    except UnicodeEncodeError:
        check_text(value, name.removesuffix("[]"))  # names the field and the character
        raise


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _part_head(boundary: str, disposition: str, media_type: str | None = None) -> bytes:
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n"
    if media_type:
        head += f"Content-Type: {media_type}\r\n"
    # a file name from the file system may hold undecodable bytes (surrogate escapes)
    return (head + "\r\n").encode("utf-8", "replace")


__all__ = ["FileInput", "FileRule", "MultipartForm", "Upload", "load_upload", "sniff"]
