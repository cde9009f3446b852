from __future__ import annotations

import subprocess
import sys

import langchain_wenwen


def test_public_api() -> None:
    assert sorted(langchain_wenwen.__all__) == [
        "ChatWenwen",
        "WenwenAudioLoader",
        "WenwenEmbeddings",
        "WenwenImageEditTool",
        "WenwenImageGenerationTool",
        "WenwenMidjourneyTool",
        "WenwenSpeechToTextTool",
        "WenwenTaskRunnable",
        "WenwenTextToSpeechTool",
        "WenwenVideoGenerationTool",
        "WenwenWhisperParser",
        "__version__",
    ]
    assert langchain_wenwen.ChatWenwen.__name__ == "ChatWenwen"
    assert "ChatWenwen" in dir(langchain_wenwen)


def test_import_is_lazy_and_loads_no_heavy_modules() -> None:
    code = (
        "import sys, langchain_wenwen\n"
        "heavy = {'langchain_wenwen.chat_models', 'wenwen.emulator', 'tqdm',"
        " 'wenwen.protocols.anthropic_messages', 'langchain_core.language_models'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "from langchain_wenwen import ChatWenwen\n"
        "print(sorted({'wenwen.emulator', 'tqdm'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "[]"]
