"""Audio files → transcripts → index → answers, with LlamaIndex on the Wenwen relay.

Three short recordings are made with the relay's text-to-speech (streamed to WAV files), read
back by ``WenwenAudioReader`` (Whisper transcription, one Document per file, used here as a
``SimpleDirectoryReader`` file extractor), embedded with ``WenwenEmbedding`` into a
``VectorStoreIndex`` and queried with a ``Wenwen`` LLM.

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the chat model);
otherwise it starts the local emulator and says so.

    python examples/llama_index_audio_rag.py
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

from llama_index_wenwen import Wenwen, WenwenAudioReader, WenwenEmbedding
from wenwen import WenwenClient
from wenwen_emulator.offline import emulator_unless_key

RECORDINGS = {
    "standup.wav": "The launch of the harbour app moves to the second week of May.",
    "support.wav": "Customers report that invoices download slowly on Mondays.",
    "design.wav": "The new logo uses a teal lighthouse on a white background.",
}


def record(client: WenwenClient, folder: Path) -> None:
    for name, text in RECORDINGS.items():
        path = client.audio.speech_to_file(text, path=folder / name, response_format="wav")
        print(f"recorded {path.name} ({path.stat().st_size} bytes)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, emulator_unless_key() as (base_url, api_key):
        folder = Path(tmp)
        connection = {"base_url": base_url, "api_key": api_key}
        with WenwenClient(**connection) as client:
            record(client, folder)

        reader = WenwenAudioReader(language="en", **connection)
        documents = SimpleDirectoryReader(str(folder), file_extractor={".wav": reader}).load_data()
        for document in documents:
            print(f"transcript {document.metadata['file_name']}: {document.text}")

        index = VectorStoreIndex.from_documents(
            documents, embed_model=WenwenEmbedding(model="text-embedding-3-small", **connection)
        )
        llm = Wenwen(model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"), **connection)
        question = "When does the harbour app launch?"
        response = index.as_query_engine(llm=llm, similarity_top_k=1).query(question)
        print("question:", question)
        print("source:", response.source_nodes[0].node.metadata["file_name"])
        print("answer:", response)


if __name__ == "__main__":
    main()
