"""examples/gemini_images.py runs offline and writes real PNG files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gemini_images.py"


def test_gemini_images_example_writes_pngs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No WENWEN_API_KEY set: using the local Wenwen emulator" in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("langchain generated: image/png -> langchain_fox.png")
    assert lines[1] == "langchain edited: image/png -> langchain_fox_blue.png"
    assert lines[2] == "llama_index generated: image/png -> llama_index_lighthouse.png"
    assert lines[3] == "llama_index edited: image/png -> llama_index_lighthouse_moon.png"
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(names) == 4
    digests = set()
    for name in names:
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG"
            digests.add(image.tobytes())
    assert len(digests) == 4  # every generation and edit is a different picture
