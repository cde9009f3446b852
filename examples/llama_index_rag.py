"""Retrieval-augmented answers with LlamaIndex: a VectorStoreIndex built with WenwenEmbedding,
queried through a Wenwen LLM (plain, streaming and as a multi-turn chat engine).

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL and
WENWEN_EMBEDDING_MODEL pick the models); otherwise it starts the local emulator and says so.

    python examples/llama_index_rag.py
"""

from __future__ import annotations

import os

from llama_index.core import Document, VectorStoreIndex

from llama_index_wenwen import Wenwen, WenwenEmbedding
from wenwen_emulator.offline import emulator_unless_key

DOCUMENTS = [
    "The Wenwen relay serves many model families behind one API key.",
    "Claude models are reached over the Anthropic Messages protocol.",
    "Embeddings are requested as raw text, packed as base64 floats on the wire.",
    "The emulator answers deterministically, so tests can rely on its replies.",
    "Rate-limited requests are retried after the delay the relay asks for.",
]


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        connection = {"base_url": base_url, "api_key": api_key}
        embed_model = WenwenEmbedding(
            model=os.environ.get("WENWEN_EMBEDDING_MODEL", "text-embedding-3-small"),
            **connection,
        )
        llm = Wenwen(model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"), **connection)

        index = VectorStoreIndex.from_documents(
            [Document(text=text) for text in DOCUMENTS], embed_model=embed_model
        )

        question = "How are Claude models reached?"
        response = index.as_query_engine(llm=llm, similarity_top_k=2).query(question)
        print("question:", question)
        print("retrieved:")
        for source in response.source_nodes:
            print(f"  - ({source.score:.2f}) {source.node.get_content()}")
        print("answer:", response)

        print("streamed answer: ", end="", flush=True)
        streaming = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=2)
        for token in streaming.query("How are embeddings requested?").response_gen:
            print(token, end="", flush=True)
        print()

        chat = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm)
        for message in ("What does the relay serve?", "What happens to rate-limited requests?"):
            print(f"chat> {message}\n      {chat.chat(message)}")


if __name__ == "__main__":
    main()
