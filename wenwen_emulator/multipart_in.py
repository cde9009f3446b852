"""Parsing ``multipart/form-data`` request bodies (stdlib only), as the relay accepts them:
repeated fields, ``image[]`` with several files, and the content type each part declares."""

from __future__ import annotations

from dataclasses import dataclass, field

from .context import Ctx


@dataclass
class FormFile:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[FormFile]] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def values(self, name: str) -> list[str]:
        """``name`` and ``name[]`` together (clients spell arrays either way)."""
        return self.fields.get(name, []) + self.fields.get(f"{name}[]", [])

    def files_named(self, *names: str) -> list[FormFile]:
        return [f for name in names for f in self.files.get(name, [])]


def _param(header: str, name: str) -> str | None:
    for piece in header.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.strip().lower() == name:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"').replace("%22", '"')
            return value
    return None


def parse_form(body: bytes, content_type: str) -> Form:
    """Raises ``ValueError`` naming what is wrong with the body."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError("expected a multipart/form-data body")
    boundary = _param(content_type, "boundary")
    if not boundary:
        raise ValueError("the multipart Content-Type has no boundary")
    form = Form()
    for chunk in _parts(b"\r\n" + body, b"\r\n--" + boundary.encode("latin-1")):
        head, sep, content = (b"\r\n" + chunk).partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a multipart part has no header/body separator")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip():
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _param(disposition, "name")
        if name is None:
            raise ValueError("a multipart part has no name")
        filename = _param(disposition, "filename")
        if filename is None:
            form.fields.setdefault(name, []).append(content.decode("utf-8", "replace"))
        else:
            kind = headers.get("content-type", "application/octet-stream")
            form.files.setdefault(name, []).append(FormFile(filename, kind, content))
    return form


def _parts(body: bytes, delimiter: bytes) -> list[bytes]:
    """The parts between delimiters; a delimiter counts only when a line break or the closing
    ``--`` follows it (RFC 2046 §5.1.1), so content may contain look-alikes."""
    parts: list[bytes] = []
    start: int | None = None
    pos = 0
    while True:
        found = body.find(delimiter, pos)
        if found < 0:
            raise ValueError("the multipart body is not terminated by its closing boundary")
        after = found + len(delimiter)
        tail = body[after : after + 2]
        if tail not in (b"\r\n", b"--"):
            pos = after
            continue
        if start is not None:
            parts.append(body[start:found])
        if tail == b"--":
            return parts
        start = pos = after + 2


async def read_form(ctx: Ctx) -> Form:
    """The request's form, or a 400 in the relay's shape."""
    body = await ctx.request.body()
    try:
        return parse_form(body, ctx.request.headers.get("content-type", ""))
    except ValueError as exc:
        raise ctx.bad(f"Invalid multipart form: {exc}") from None
