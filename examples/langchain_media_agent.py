"""A LangChain agent that draws, edits and narrates with the Wenwen media tools.

The agent (``langchain.agents.create_agent`` on ChatWenwen) gets the four tools; each step is
one user request. The tools answer the agent with a short text and carry the media as the
ToolMessage's artifact (standard ``image``/``audio`` content blocks); files are also saved to
a temporary directory, and this script checks that they open (PNG header, ``wave``).

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the chat model);
otherwise it starts the local emulator and says so. Needs ``pip install langchain``.

    python examples/langchain_media_agent.py
"""

from __future__ import annotations

import base64
import os
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import ToolMessage

from langchain_wenwen import (
    ChatWenwen,
    WenwenImageEditTool,
    WenwenImageGenerationTool,
    WenwenSpeechToTextTool,
    WenwenTextToSpeechTool,
)
from wenwen_emulator.offline import emulator_unless_key


def run_step(agent: Any, request: str) -> ToolMessage:
    """One agent turn; returns the tool's message (with its artifact)."""
    print("user:", request)
    result = agent.invoke({"messages": [{"role": "user", "content": request}]})
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    for message in tool_messages:
        print(f"  tool {message.name}: {message.content}")
    print("agent:", result["messages"][-1].text)
    return tool_messages[-1]


def png_size(block: dict[str, Any]) -> str:
    data = base64.b64decode(block["base64"])
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return f"{width}x{height} PNG"


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="media-") as tmp,
        emulator_unless_key() as (
            base_url,
            api_key,
        ),
    ):
        out_dir = Path(tmp)
        connection: dict[str, Any] = {"base_url": base_url, "api_key": api_key}
        # short, distinct tool names keep each request unambiguous for the model
        tools = [
            WenwenImageGenerationTool(name="draw", output_dir=str(out_dir), **connection),
            WenwenImageEditTool(name="retouch", output_dir=str(out_dir), **connection),
            WenwenTextToSpeechTool(
                name="narrate", audio_format="wav", output_dir=str(out_dir), **connection
            ),
            # a tool reads only the files inside root_dir (or its own output_dir)
            WenwenSpeechToTextTool(name="transcribe", root_dir=str(out_dir), **connection),
        ]
        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"), temperature=0, **connection
        )
        agent = create_agent(llm, tools=tools, system_prompt="Use the tools you are asked to.")

        drawn = run_step(agent, "Use draw to paint 'a lighthouse at dusk'.")
        image = drawn.artifact[0]
        print("image:", png_size(image), "at", image["extras"]["path"])

        edit_request = f"Use retouch to 'add a full moon' to '{image['extras']['path']}'."
        edited = run_step(agent, edit_request)
        print("edited:", png_size(edited.artifact[0]))

        caption = "A lighthouse at dusk under a full moon."
        spoken = run_step(agent, f"Use narrate to say '{caption}'")
        wav_path = spoken.artifact[0]["extras"]["path"]
        with wave.open(wav_path) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        print(f"speech: {seconds:.2f} s of WAV audio at {wav_path}")

        heard = run_step(agent, f"Use transcribe on '{wav_path}'.")
        print("transcript:", heard.content)


if __name__ == "__main__":
    main()
