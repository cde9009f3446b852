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
        "WenwenUsageCallbackHandler",
        "WenwenVideoGenerationTool",
        "WenwenWhisperParser",
        "__version__",
        "wenwen_usage",
    ]
    assert langchain_wenwen.ChatWenwen.__name__ == "ChatWenwen"
    assert "ChatWenwen" in dir(langchain_wenwen)


def test_import_is_lazy_and_loads_no_heavy_modules() -> None:
    code = (
        "import sys, langchain_wenwen\n"
        "heavy = {'langchain_wenwen.chat_models', 'wenwen_emulator', 'tqdm',"
        " 'wenwen.protocols.anthropic_messages', 'langchain_core.language_models'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "from langchain_wenwen import ChatWenwen\n"
        "print(sorted({'wenwen_emulator', 'tqdm'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "[]"]


def test_chat_model_import_leaves_what_a_plain_chat_call_does_not_need() -> None:
    """Token tables, model profiles, embeddings, media, tasks, every protocol module and the
    structured-output parsers load on first use, not with ``ChatWenwen``."""
    code = (
        "import sys\n"
        "from langchain_wenwen import ChatWenwen\n"
        "later = {'wenwen.tokens', 'wenwen.profiles', 'wenwen.media', 'wenwen.tasks',"
        " 'wenwen.protocols.openai_chat', 'wenwen.protocols.anthropic_messages',"
        " 'wenwen.protocols.gemini', 'wenwen.protocols.openai_responses',"
        " 'langchain_core.output_parsers.pydantic'}\n"
        "print(sorted(later & set(sys.modules)))\n"
        "llm = ChatWenwen(model='claude-sonnet-4-20250514', api_key='k')\n"
        "print(llm.profile['max_input_tokens'] > 0, llm.get_num_tokens('hello world') > 0)\n"
        "print(sorted({'wenwen.tokens', 'wenwen.profiles'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "True True", "['wenwen.profiles', 'wenwen.tokens']"]
