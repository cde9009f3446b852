"""The one gate for files named by tool arguments (``wenwen.media.uploads.FileAccess``) and the
bounded, stat-first read of every path upload: each refusal is typed, names the setting or
the problem, and happens before the file is opened or read."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wenwen import WenwenClient
from wenwen.errors import FileAccessError, InvalidArgumentError, InvalidFileError
from wenwen.media.uploads import FileAccess, read_path
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt

PNG = png_from_prompt("gate", 8, 8)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    (folder / "sub").mkdir(parents=True)
    (folder / "in.png").write_bytes(PNG)
    (folder / "sub" / "deep.png").write_bytes(PNG)
    (tmp_path / "outside.png").write_bytes(PNG)
    (tmp_path / ".env").write_bytes(b"WENWEN_API_KEY=sk-very-secret\n")
    return folder


def no_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every ``os.read`` fail the test; returns the list of attempted reads."""
    attempts: list[int] = []

    def refuse(fd: int, n: int) -> bytes:
        attempts.append(n)
        raise AssertionError("the file was read")

    monkeypatch.setattr(os, "read", refuse)
    return attempts


def test_a_file_inside_root_dir_is_read_by_relative_or_absolute_path(root: Path) -> None:
    access = FileAccess.of(root)
    for name in ("in.png", str(root / "in.png"), "sub/deep.png", "sub/../in.png"):
        checked = access.read(name, "image", argument="image_path")
        assert checked.content == PNG and checked.media_type == "image/png"
        assert checked.path.parent in (root.resolve(), (root / "sub").resolve())


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../outside.png", "../.env", "sub/../../outside.png", "/", "../root2/x.png"],
)
def test_paths_outside_root_dir_are_refused_naming_the_setting(root: Path, name: str) -> None:
    with pytest.raises(FileAccessError) as caught:
        FileAccess.of(root).read(name, "image", argument="image_path")
    assert caught.value.setting == "root_dir"
    assert caught.value.path == name
    assert isinstance(caught.value, ValueError)


def test_the_absolute_path_of_a_file_outside_is_refused_before_it_is_opened(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    with pytest.raises(FileAccessError):
        FileAccess.of(root).read(str(root.parent / ".env"), "image", argument="image_path")
    assert opened == []


def test_a_symlink_out_of_root_dir_is_refused_and_one_within_is_followed(root: Path) -> None:
    (root / "escape.png").symlink_to(root.parent / "outside.png")
    (root / "sub" / "up").symlink_to(root.parent)  # a folder link out
    (root / "alias.png").symlink_to(root / "sub" / "deep.png")
    access = FileAccess.of(root)
    for name in ("escape.png", "sub/up/outside.png", str(root / "escape.png")):
        with pytest.raises(FileAccessError):
            access.read(name, "image", argument="image_path")
    assert access.read("alias.png", "image", argument="image_path").content == PNG


def test_tilde_is_not_expanded_for_a_named_path(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_bytes(PNG)  # even media-shaped bytes stay at home
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(InvalidFileError) as caught:
        FileAccess.of(root).read("~/.ssh/id_rsa", "image", argument="image_path")
    assert caught.value.reason == "missing"  # looked for <root>/~/.ssh/id_rsa only
    # the user's own setting is theirs to write with ~
    assert FileAccess.of("~/.ssh").read("id_rsa", "image", argument="p").content == PNG


def test_without_root_dir_every_path_is_refused_and_output_dir_is_allowed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root)
    for name in ("in.png", str(root / "in.png")):
        with pytest.raises(FileAccessError) as caught:
            FileAccess.of(None).read(name, "image", argument="image_path")
        assert caught.value.setting == "root_dir"
    by_output = FileAccess.of(None, output_dir=root / "sub")
    assert by_output.read("deep.png", "image", argument="image_path").content == PNG
    with pytest.raises(FileAccessError):
        by_output.read(str(root / "in.png"), "image", argument="image_path")


def test_a_relative_path_from_the_working_directory_must_still_land_inside(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tool with a relative ``output_dir`` reports ``out/<file>``; that path works, while a
    file the working directory holds outside the allowed folders stays refused."""
    monkeypatch.chdir(root.parent)
    access = FileAccess.of("root")
    assert access.read("root/in.png", "image", argument="p").content == PNG
    assert access.read("in.png", "image", argument="p").content == PNG
    with pytest.raises(InvalidFileError) as caught:  # only <root>/outside.png was a candidate
        access.read("outside.png", "image", argument="p")
    assert caught.value.reason == "missing"
    with pytest.raises(FileAccessError):
        access.read("../outside.png", "image", argument="p")


def test_several_root_dirs(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.png").write_bytes(PNG)
    access = FileAccess.of([root / "sub", str(other)])
    assert access.read("b.png", "image", argument="p").content == PNG
    assert access.read("deep.png", "image", argument="p").content == PNG
    with pytest.raises(FileAccessError):
        access.read(str(root / "in.png"), "image", argument="p")


@pytest.mark.parametrize(
    ("content", "kind", "reason"),
    [
        (b"WENWEN_API_KEY=sk-secret\n", "image", "wrong_kind"),  # a text file called .png
        (b"", "image", "empty"),
        (PNG, "audio", "wrong_kind"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "image", "wrong_kind"),
    ],
)
def test_files_are_judged_by_their_bytes(
    root: Path, content: bytes, kind: Any, reason: str
) -> None:
    (root / "named.png").write_bytes(content)
    with pytest.raises(InvalidFileError) as caught:
        FileAccess.of(root).read("named.png", kind, argument="image_path")
    assert caught.value.reason == reason and caught.value.path == "named.png"


def test_an_oversize_file_is_refused_by_stat_without_reading(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = root / "huge.png"
    with huge.open("wb") as handle:  # sparse: 64 GiB that occupy no disk
        handle.write(PNG)
        handle.truncate(64 * 2**30)
    attempts = no_reads(monkeypatch)
    with pytest.raises(InvalidFileError) as caught:
        FileAccess.of(root).read("huge.png", "image", argument="image_path")
    assert caught.value.reason == "too_large" and attempts == []
    with pytest.raises(InvalidFileError) as small:
        FileAccess.of(root, max_bytes=len(PNG) - 1).read("in.png", "image", argument="p")
    assert small.value.reason == "too_large"


def test_a_fifo_or_a_folder_is_refused_without_blocking(root: Path) -> None:
    os.mkfifo(root / "pipe.png")
    access = FileAccess.of(root)
    for name in ("pipe.png", "sub", "."):
        with pytest.raises(InvalidFileError) as caught:
            access.read(name, "image", argument="image_path")
        assert caught.value.reason == "not_a_file"


def test_a_folder_swapped_for_a_link_after_the_check_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path is checked, then a folder on it becomes a link out of the root
    before the file is opened. The open walks from the root without following links."""
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "deep.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"outside bytes")
    checked = FileAccess.resolve

    def resolve_then_swap(self: FileAccess, name: object, *, argument: str) -> Any:
        found = checked(self, name, argument=argument)
        shutil.rmtree(root / "sub")
        (root / "sub").symlink_to(elsewhere)
        return found

    monkeypatch.setattr(FileAccess, "resolve", resolve_then_swap)
    with pytest.raises(FileAccessError):
        FileAccess.of(root).read("sub/deep.png", "image", argument="image_path")


def test_a_file_that_grows_after_fstat_is_still_bounded(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read is bounded by ``max_bytes`` itself, not by the size ``fstat`` reported."""
    (root / "growing.png").write_bytes(PNG + bytes(4096))
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = len(PNG)  # st_size, as it was before the file grew
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", stale_fstat)
    with pytest.raises(InvalidFileError) as caught:
        FileAccess.of(root, max_bytes=len(PNG) + 100).read("growing.png", "image", argument="p")
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize("name", ["", "   ", 5, None, "a\x00b.png", "a\udc80.png"])
def test_a_path_that_is_not_a_path_is_an_argument_error(root: Path, name: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        FileAccess.of(root).read(name, "image", argument="image_path")
    assert caught.value.argument == "image_path"


def test_image_paths_must_be_a_list(root: Path) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        FileAccess.of(root).read_all("in.png", "image", argument="image_paths")
    assert caught.value.argument == "image_paths"
    with pytest.raises(FileAccessError):
        FileAccess.of(root).read_all(["in.png", "/etc/passwd"], "image", argument="image_paths")


@pytest.mark.parametrize("bad", [0, -1, True, "25MB", 2.5])
def test_the_upload_bound_must_be_a_positive_int(bad: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        FileAccess.of(None, max_bytes=bad)
    assert caught.value.argument == "max_upload_bytes"


@pytest.mark.parametrize("bad", [5, [5], [""]])
def test_root_dir_must_name_folders(bad: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        FileAccess.of(bad)
    assert caught.value.argument == "root_dir"


# --- the core client: any path, but sized by stat first ----------------------------------


def test_read_path_takes_any_path_but_refuses_empty_and_oversize_unread(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_path(root.parent / "outside.png", max_bytes=1024, what="image") == PNG
    (root / "empty.png").touch()
    huge = root / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(2 * 2**30)
    attempts = no_reads(monkeypatch)
    for path, reason in ((root / "empty.png", "empty"), (huge, "too_large")):
        with pytest.raises(InvalidFileError) as caught:
            read_path(path, max_bytes=1024, what="image")
        assert caught.value.reason == reason
    assert attempts == []


CoreCall = Callable[[WenwenClient, Path], Any]
CORE_UPLOADS: dict[str, CoreCall] = {
    "images.edit": lambda c, p: c.images.edit("x", images=[p]),
    "images.edit mask": lambda c, p: c.images.edit("x", images=[PNG], mask=p),
    "audio.transcribe": lambda c, p: c.audio.transcribe(p),
    "videos.create": lambda c, p: c.videos.create(prompt="x", image=p),
    "midjourney.blend": lambda c, p: c.midjourney.blend([p, p]),
}


@pytest.mark.parametrize("call", list(CORE_UPLOADS.values()), ids=list(CORE_UPLOADS))
def test_the_core_client_sizes_a_2gb_upload_by_stat_and_sends_nothing(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: CoreCall
) -> None:
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as handle:
        handle.write(PNG)
        handle.truncate(2 * 2**30)
    empty = tmp_path / "empty.png"
    empty.touch()
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        attempts = no_reads(monkeypatch)
        with pytest.raises(InvalidFileError) as too_big:
            call(client, huge)
        with pytest.raises(InvalidFileError) as nothing:
            call(client, empty)
        monkeypatch.undo()
    assert (too_big.value.reason, nothing.value.reason) == ("too_large", "empty")
    assert attempts == [] and emu.requests == []
