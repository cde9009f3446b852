from llama_index.core import Document, VectorStoreIndex

from llama_index_wenwen import Wenwen, WenwenEmbedding


def test_query_engine_answers_from_the_documents(wenwen_emulator):
    index = VectorStoreIndex.from_documents(
        [
            Document(text="The Eiffel Tower is 330 metres tall."),
            Document(text="Mount Fuji is 3776 metres high."),
        ],
        embed_model=WenwenEmbedding(model="text-embedding-3-small"),
    )
    engine = index.as_query_engine(llm=Wenwen(model="gpt-4o-mini"), similarity_top_k=1)

    answer = engine.query("How tall is the Eiffel Tower?")

    assert "330 metres" in str(answer)  # the mock model answers from the retrieved context
    prompt = wenwen_emulator.requests.last.last_user_text
    assert "Eiffel Tower" in prompt and "Mount Fuji" not in prompt  # only the best match
