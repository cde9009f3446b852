"""Retrieval-augmented answers: WenwenEmbeddings + LangChain's InMemoryVectorStore, and
ChatWenwen answering from the retrieved text with a prompt | model | StrOutputParser chain.

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL and
WENWEN_EMBEDDING_MODEL pick the models); otherwise it starts the local emulator and says so.

    python examples/langchain_rag.py
"""

from __future__ import annotations

import os

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from wenwen_emulator.offline import emulator_unless_key

DOCUMENTS = [
    "The Wenwen relay serves many model families behind one API key.",
    "Claude models are reached over the Anthropic Messages protocol.",
    "Embeddings are requested as raw text, packed as base64 floats on the wire.",
    "The emulator answers deterministically, so tests can rely on its replies.",
    "Rate-limited requests are retried after the delay the relay asks for.",
]

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer the question using only this context:\n\n{context}"),
        ("human", "{question}"),
    ]
)


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        connection = {"base_url": base_url, "api_key": api_key}
        embeddings = WenwenEmbeddings(
            model=os.environ.get("WENWEN_EMBEDDING_MODEL", "text-embedding-3-small"),
            **connection,
        )
        store = InMemoryVectorStore(embeddings)
        store.add_documents([Document(page_content=text) for text in DOCUMENTS])
        retriever = store.as_retriever(search_kwargs={"k": 2})

        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"), temperature=0, **connection
        )
        chain = PROMPT | llm | StrOutputParser()

        question = "How are Claude models reached?"
        found = retriever.invoke(question)
        context = "\n".join(doc.page_content for doc in found)
        print("retrieved:")
        for doc in found:
            print("  -", doc.page_content)
        print("answer:", chain.invoke({"context": context, "question": question}))


if __name__ == "__main__":
    main()
