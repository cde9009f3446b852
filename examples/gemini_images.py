"""Image generation and editing with Gemini ("nano banana"), in LangChain and LlamaIndex.

Runs against the Wenwen relay when WENWEN_API_KEY is set; otherwise it starts the local
emulator (which draws a small deterministic PNG from the prompt) and says so. Images are
written to the directory given as the first argument (default: a new temporary directory).

    python examples/gemini_images.py [out_dir]
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage, ImageBlock, MessageRole, TextBlock

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import Wenwen
from wenwen_emulator.offline import emulator_unless_key

MODEL = "gemini-2.5-flash-image-preview"


def first_image(content: Any) -> dict[str, Any]:
    """The first LangChain standard image block of a message's content."""
    blocks = content if isinstance(content, list) else []
    return next(b for b in blocks if isinstance(b, dict) and b.get("type") == "image")


def with_langchain(base_url: str, api_key: str, out: Path) -> None:
    llm = ChatWenwen(model=MODEL, base_url=base_url, api_key=api_key)
    made = llm.invoke("A watercolor fox sitting in the snow")
    image = first_image(made.content)
    (out / "langchain_fox.png").write_bytes(base64.b64decode(image["base64"]))
    print(f"langchain generated: {image['mime_type']} -> langchain_fox.png; text: {made.text!r}")

    edit = HumanMessage(content=[{"type": "text", "text": "Make the fox blue"}, image])
    edited = first_image(llm.invoke([edit]).content)
    (out / "langchain_fox_blue.png").write_bytes(base64.b64decode(edited["base64"]))
    print(f"langchain edited: {edited['mime_type']} -> langchain_fox_blue.png")


def with_llama_index(base_url: str, api_key: str, out: Path) -> None:
    llm = Wenwen(model=MODEL, base_url=base_url, api_key=api_key)
    made = llm.chat([ChatMessage(role=MessageRole.USER, content="A lighthouse at dusk")])
    image = next(b for b in made.message.blocks if isinstance(b, ImageBlock))
    (out / "llama_index_lighthouse.png").write_bytes(image.resolve_image().read())
    print(f"llama_index generated: {image.image_mimetype} -> llama_index_lighthouse.png")

    edit = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="Add a full moon"), image])
    edited = llm.chat([edit])
    new = next(b for b in edited.message.blocks if isinstance(b, ImageBlock))
    (out / "llama_index_lighthouse_moon.png").write_bytes(new.resolve_image().read())
    print(f"llama_index edited: {new.image_mimetype} -> llama_index_lighthouse_moon.png")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="wenwen-"))
    out.mkdir(parents=True, exist_ok=True)
    with emulator_unless_key() as (base_url, api_key):
        with_langchain(base_url, api_key, out)
        with_llama_index(base_url, api_key, out)
    print(f"images in {out}")


if __name__ == "__main__":
    main()
