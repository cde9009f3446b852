"""Reading files for upload: the one gate for files named by tool arguments, and the bounded
read every path upload goes through.

A tool's arguments are written by a model, and a model can be prompt-injected, so a path it
names is read only when it lies inside a folder the tool's user allowed (``root_dir``, one
folder or a list of them, plus the tool's own ``output_dir``). ``FileAccess.read``:

1. resolves the path with every symlink followed (``~`` is not expanded: a model's ``~`` is a
   folder name like any other); a relative path is looked up inside the allowed folders, and
   from the working directory only where that lands inside one;
2. refuses, with a ``FileAccessError`` naming ``root_dir``, anything that does not resolve to a
   place inside an allowed folder, before the file is opened; with no allowed folder at all,
   every path is refused;
3. opens the file component by component from the allowed folder without following links
   (``O_NOFOLLOW`` at each step, ``openat``-style), so a link swapped in after the check is
   refused rather than followed, and checks that the opened file is the one that was checked;
4. checks its size by ``fstat`` before reading anything (empty and oversize files are
   refused unread) and its kind by its first bytes (``wenwen.media.content``), never by its
   name's extension; then reads it with a bound.

``read_path`` is the same bounded, stat-first read for programs that pass paths to the core
client themselves: any path is accepted there.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from ..errors import FileAccessError, InvalidArgumentError, InvalidFileError
from .content import MediaKind, matches_kind, sniff

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 25 * MB
"""The largest file a tool reads for upload unless its ``max_upload_bytes`` says otherwise
(the relay's own limit for image edits and transcriptions)."""
ROOT_DIR_SETTING = "root_dir"
_SNIFF_BYTES = 16
_KIND_NAMES = {
    "image": "an image (PNG, JPEG, WEBP or GIF)",
    "audio": "audio (WAV, MP3, OGG, FLAC, M4A or WEBM)",
    "video": "a video (MP4, MOV or WEBM)",
}

PathLike: TypeAlias = "str | os.PathLike[str]"
RootDir: TypeAlias = "str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None"
"""The ``root_dir`` setting: a folder, a list of folders, or ``None`` (no folder allowed)."""

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# O_NONBLOCK: opening a FIFO planted in the folder must not hang (it is refused after fstat)
_O_FILE = _O_READ | _O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
_WALK_SAFELY = bool(_O_NOFOLLOW and _O_DIRECTORY) and os.open in os.supports_dir_fd


@dataclass(frozen=True)
class CheckedFile:
    """A file read through the gate: where it was, its bytes and the type they announce."""

    path: Path
    content: bytes
    media_type: str


def root_dir_folders(root_dir: RootDir) -> tuple[Path, ...]:
    """The folders of a ``root_dir`` setting (the user wrote it, so ``~`` is expanded)."""
    if root_dir is None:
        return ()
    is_list = isinstance(root_dir, Sequence) and not isinstance(root_dir, str | bytes)
    items: list[object] = list(root_dir) if is_list else [root_dir]  # type: ignore[arg-type]
    folders = []
    for item in items:
        if not isinstance(item, str | os.PathLike) or not os.fspath(item):
            raise InvalidArgumentError(
                f"{ROOT_DIR_SETTING} must be a folder path or a list of them, got {item!r}",
                argument=ROOT_DIR_SETTING,
            )
        folders.append(Path(item).expanduser())
    return tuple(folders)


@dataclass(frozen=True)
class FileAccess:
    """The folders a tool may read files from and the size bound of what it reads.

    ``FileAccess.of(root_dir, output_dir=...)`` builds it from a tool's settings."""

    folders: tuple[Path, ...] = ()
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES

    @classmethod
    def of(
        cls,
        root_dir: RootDir,
        *,
        output_dir: PathLike | None = None,
        max_bytes: int | None = None,
    ) -> FileAccess:
        folders = root_dir_folders(root_dir)
        if output_dir is not None and os.fspath(output_dir):
            folders += (Path(output_dir).expanduser(),)
        bound = DEFAULT_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
        if isinstance(bound, bool) or not isinstance(bound, int) or bound <= 0:
            raise InvalidArgumentError(
                f"max_upload_bytes must be a positive int, got {bound!r}",
                argument="max_upload_bytes",
            )
        return cls(folders, bound)

    def resolve(self, name: object, *, argument: str) -> tuple[Path, Path]:
        """``(resolved path, the allowed folder it lies in)``; ``FileAccessError`` when it
        lies in none. Nothing is opened."""
        raw = _path_text(name, argument)
        if not self.folders:
            raise FileAccessError(
                f"{argument} {raw!r} was refused: this tool reads no files until its user "
                f"allows folders with {ROOT_DIR_SETTING}=... (or sets output_dir)",
                path=raw,
                setting=ROOT_DIR_SETTING,
            )
        folders = [Path(os.path.realpath(folder)) for folder in self.folders]
        given = Path(raw)
        # a relative path is looked up in the allowed folders, then from the working directory
        # (where a tool's relative output_dir reports its files); each must still land inside
        candidates = [given] if given.is_absolute() else [f / given for f in folders] + [given]
        inside: list[tuple[Path, Path]] = []
        for candidate in candidates:
            real = Path(os.path.realpath(candidate))
            home = next((f for f in folders if real.is_relative_to(f)), None)
            if home is not None:
                inside.append((real, home))
        if not inside:
            # the allowed folders are not listed: an agent hands this text to its model
            raise FileAccessError(
                f"{argument} {raw!r} was refused: it is outside the folders this tool may read "
                f"(set by {ROOT_DIR_SETTING} and output_dir)",
                path=raw,
                setting=ROOT_DIR_SETTING,
            )
        return next((pair for pair in inside if os.path.lexists(pair[0])), inside[0])

    def read(self, name: object, kind: MediaKind, *, argument: str) -> CheckedFile:
        """The checked bytes of the file ``name`` (see the module docstring for the checks)."""
        real, folder = self.resolve(name, argument=argument)
        label = f"{argument} {str(name)!r}"
        checked = _stat(real, label, str(name))
        fd = _open_inside(real, folder, label, str(name))
        try:
            opened = os.fstat(fd)
            if (checked.st_dev, checked.st_ino) != (opened.st_dev, opened.st_ino):
                raise _changed(label, str(name))
            content = _read_checked(fd, label, str(name), self.max_bytes, None)
        finally:
            os.close(fd)
        if not matches_kind(content[:_SNIFF_BYTES], kind):
            found = sniff(content[:_SNIFF_BYTES])
            what = f"holds {found}" if found else "is not a recognised media file"
            raise InvalidFileError(
                f"{label} {what}; expected {_KIND_NAMES[kind]} (files are judged by their "
                "bytes, not their name)",
                reason="wrong_kind",
                path=str(name),
            )
        return CheckedFile(real, content, sniff(content[:_SNIFF_BYTES]) or "")

    def read_all(self, names: object, kind: MediaKind, *, argument: str) -> list[CheckedFile]:
        """``read`` for a list of paths (a tool's ``image_paths``)."""
        if isinstance(names, str | bytes) or not isinstance(names, Sequence):
            raise InvalidArgumentError(
                f"{argument} must be a list of paths, got {type(names).__name__}",
                argument=argument,
            )
        return [self.read(name, kind, argument=f"{argument}[{i}]") for i, name in enumerate(names)]


def _path_text(name: object, argument: str) -> str:
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(
            f"{argument} must be a non-empty path string, got {name!r}", argument=argument
        )
    if "\x00" in name or any("\ud800" <= ch <= "\udfff" for ch in name):
        raise InvalidArgumentError(
            f"{argument} holds a NUL or a lone surrogate character", argument=argument
        )
    return name


def _stat(real: Path, label: str, named: str) -> os.stat_result:
    """The checked path's identity, compared with the opened file's ``fstat``."""
    try:
        return os.stat(real)
    except FileNotFoundError:
        raise InvalidFileError(f"{label} does not exist", reason="missing", path=named) from None
    except OSError as exc:
        raise InvalidFileError(
            f"{label} cannot be read: {exc.strerror}", reason="missing", path=named
        ) from None


def _open_inside(real: Path, folder: Path, label: str, named: str) -> int:
    """An fd for ``real`` opened from ``folder`` one component at a time, following no link
    (``openat`` with ``O_NOFOLLOW``); where the platform lacks that, the final component is
    opened with ``O_NOFOLLOW`` and its identity compared with the checked path's."""
    try:
        if not _WALK_SAFELY:
            before = os.stat(real)
            fd = os.open(real, _O_FILE)
            after = os.fstat(fd)
            if (before.st_dev, before.st_ino) != (after.st_dev, after.st_ino):
                os.close(fd)
                raise _changed(label, named)
            return fd
        parts = real.relative_to(folder).parts
        if not parts:
            raise InvalidFileError(f"{label} is a folder", reason="not_a_file", path=named)
        dir_fd = os.open(folder, _O_READ | _O_DIRECTORY)
        try:
            for part in parts[:-1]:
                next_fd = os.open(part, _O_READ | _O_DIRECTORY | _O_NOFOLLOW, dir_fd=dir_fd)
                os.close(dir_fd)
                dir_fd = next_fd
            return os.open(parts[-1], _O_FILE, dir_fd=dir_fd)
        finally:
            os.close(dir_fd)
    except FileNotFoundError:
        raise InvalidFileError(f"{label} does not exist", reason="missing", path=named) from None
    except NotADirectoryError:
        raise _changed(label, named) from None
    except OSError as exc:
        if exc.errno is not None and exc.errno in _LINK_ERRNOS:
            raise _changed(label, named) from None
        raise InvalidFileError(
            f"{label} cannot be opened: {exc.strerror}", reason="missing", path=named
        ) from None


def _link_errnos() -> frozenset[int]:
    import errno

    return frozenset(getattr(errno, name) for name in ("ELOOP", "EMLINK") if hasattr(errno, name))


_LINK_ERRNOS = _link_errnos()


def _changed(label: str, named: str) -> FileAccessError:
    return FileAccessError(
        f"{label} was refused: a link or folder on its path changed while it was opened",
        path=named,
        setting=ROOT_DIR_SETTING,
    )


def _read_checked(
    fd: int, label: str, named: str | None, max_bytes: int, checked: os.stat_result | None
) -> bytes:
    """The bytes behind ``fd``: a regular file, the one ``checked`` was (when given), not empty
    and at most ``max_bytes`` by ``fstat`` before anything is read, and read with that bound."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise InvalidFileError(f"{label} is not a regular file", reason="not_a_file", path=named)
    if checked is not None and (checked.st_dev, checked.st_ino) != (info.st_dev, info.st_ino):
        raise InvalidFileError(
            f"{label} was replaced while it was being opened", reason="missing", path=named
        )
    _check_size(info.st_size, label, named, max_bytes)
    # one read of the stated size (+1 to notice growth), then bounded reads while it grows
    chunks = [os.read(fd, info.st_size + 1)]
    total = len(chunks[0])
    while total <= max_bytes and chunks[-1]:
        chunks.append(os.read(fd, min(1024 * 1024, max_bytes + 1 - total)))
        total += len(chunks[-1])
    _check_size(total, label, named, max_bytes)
    return chunks[0] if len(chunks[0]) == total else b"".join(chunks)


def _check_size(size: int, label: str, named: str | None, max_bytes: int) -> None:
    if size == 0:
        raise InvalidFileError(f"{label} is empty", reason="empty", path=named)
    if size > max_bytes:
        raise InvalidFileError(
            f"{label} is {size} bytes; the limit is {max_bytes} bytes ({max_bytes / MB:g} MB)",
            reason="too_large",
            path=named,
        )


def read_path(path: PathLike, *, max_bytes: int, what: str) -> bytes:
    """The bytes of a file a program named (any path; links followed): refused unread when it
    is missing, not a regular file, empty or over ``max_bytes`` by ``stat``."""
    named = os.fspath(path)
    label = f"{what} {named!r}"
    try:
        checked = os.stat(named)
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidFileError(f"{label} does not exist", reason="missing", path=named) from None
    except (OSError, ValueError) as exc:
        raise InvalidFileError(
            f"{label} cannot be read: {exc}", reason="missing", path=named
        ) from None
    if not stat.S_ISREG(checked.st_mode):
        raise InvalidFileError(f"{label} is not a regular file", reason="not_a_file", path=named)
    _check_size(checked.st_size, label, named, max_bytes)
    try:
        fd = os.open(named, _O_READ | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidFileError(
            f"{label} cannot be opened: {exc.strerror}", reason="missing", path=named
        ) from None
    try:
        return _read_checked(fd, label, named, max_bytes, checked)
    finally:
        os.close(fd)


def read_stream(handle: object, *, max_bytes: int, what: str) -> bytes:
    """At most ``max_bytes`` + 1 bytes of a binary file object, so an endless stream cannot
    fill memory; empty and oversize contents are refused."""
    read = getattr(handle, "read", None)
    if not callable(read):
        raise InvalidFileError(f"{what} is not readable", reason="not_a_file")
    content = read(max_bytes + 1)
    if isinstance(content, str):
        raise InvalidFileError(f"{what} was opened in text mode; open it with 'rb'")
    if not isinstance(content, bytes | bytearray):
        raise InvalidFileError(f"{what} did not read as bytes", reason="not_a_file")
    _check_size(len(content), what, None, max_bytes)
    return bytes(content)


__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "ROOT_DIR_SETTING",
    "CheckedFile",
    "FileAccess",
    "RootDir",
    "read_path",
    "read_stream",
    "root_dir_folders",
]
