"""The README's "Scaling out" recipes, runnable: embed a corpus on Ray Data (LangChain's
``WenwenEmbeddings``, and a LlamaIndex ingestion pipeline), a Dask bag or Spark
``mapPartitions``, with every worker sharing one key.

    python tests/scale/recipes.py ENGINE --workers 2 4 --texts 200 --out result.json

``ENGINE``: ``ray-data``, ``ray-llama-index``, ``dask``, ``spark``. The key and relay come
from ``WENWEN_API_KEY`` / ``WENWEN_BASE_URL`` (the tests point them at a rate-limited
emulator). Every engine here runs on this machine only (loopback addresses). Writes
``{workers: {text: vector}}`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

MODEL = "text-embedding-3-small"
DIMENSIONS = 16
CHUNK = 10  # texts per request
PER_WORKER = 4  # requests in flight per worker: in flight in all = workers x PER_WORKER


def corpus(count: int) -> list[str]:
    return [f"passage {i}: a short text about topic {i % 17}" for i in range(count)]


def embeddings() -> Any:
    from langchain_wenwen import WenwenEmbeddings

    return WenwenEmbeddings(
        model=MODEL, dimensions=DIMENSIONS, chunk_size=CHUNK, max_concurrency=PER_WORKER
    )


# --- Ray Data: a callable class per actor, async so that one actor's batches overlap ------


class RayEmbed:
    """Built once per actor: the model (and its connection pools) belong to the actor."""

    def __init__(self) -> None:
        self.embeddings = embeddings()

    async def __call__(self, batch: dict[str, Any]) -> Any:
        texts = [str(text) for text in batch["text"]]
        vectors = await self.embeddings.aembed_documents(texts)
        yield {"text": texts, "vector": vectors}


def ray_data(texts: list[str], workers: int) -> dict[str, list[float]]:
    import ray

    dataset = ray.data.from_items([{"text": text} for text in texts])
    # batch_size well above chunk_size: each batch is several requests at once
    pool = ray.data.ActorPoolStrategy(size=workers)
    out = dataset.map_batches(RayEmbed, compute=pool, batch_size=CHUNK * PER_WORKER)
    return {row["text"]: list(map(float, row["vector"])) for row in out.take_all()}


class RayIngest:
    """LlamaIndex ingestion per actor: split, then embed with ``WenwenEmbedding``."""

    def __init__(self) -> None:
        from llama_index.core.ingestion import IngestionPipeline
        from llama_index.core.node_parser import SentenceSplitter

        from llama_index_wenwen import WenwenEmbedding

        embed = WenwenEmbedding(
            model=MODEL, dimensions=DIMENSIONS, embed_batch_size=CHUNK, max_concurrency=PER_WORKER
        )
        self.pipeline = IngestionPipeline(transformations=[SentenceSplitter(), embed])

    async def __call__(self, batch: dict[str, Any]) -> Any:
        from llama_index.core import Document

        documents = [Document(text=str(text)) for text in batch["text"]]
        nodes = await self.pipeline.arun(documents=documents)
        yield {"text": [n.get_content() for n in nodes], "vector": [n.embedding for n in nodes]}


def ray_llama_index(texts: list[str], workers: int) -> dict[str, list[float]]:
    import ray

    dataset = ray.data.from_items([{"text": text} for text in texts])
    pool = ray.data.ActorPoolStrategy(size=workers)
    out = dataset.map_batches(RayIngest, compute=pool, batch_size=CHUNK * PER_WORKER)
    return {row["text"]: list(map(float, row["vector"])) for row in out.take_all()}


def start_ray(workers: int) -> None:
    import ray

    ray.init(
        num_cpus=workers,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",  # loopback only
        configure_logging=False,
    )


# --- Dask bag: the model travels to each partition by pickle --------------------------------


def embed_partition(texts: Iterable[str], model: Any) -> list[tuple[str, list[float]]]:
    batch = list(texts)
    return list(zip(batch, model.embed_documents(batch), strict=True)) if batch else []


def dask(texts: list[str], workers: int) -> dict[str, list[float]]:
    import dask.bag

    bag = dask.bag.from_sequence(texts, npartitions=workers * 2)
    pairs = bag.map_partitions(embed_partition, embeddings())
    return dict(pairs.compute(scheduler="processes", num_workers=workers))


# --- Spark: mapPartitions, one model per partition (shipped with the closure) -------------


def spark(texts: list[str], workers: int) -> dict[str, list[float]]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(f"local[{workers}]")
        .config("spark.driver.host", "127.0.0.1")  # loopback only
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    model = embeddings()

    def partition(rows: Iterator[str]) -> Iterator[tuple[str, list[float]]]:
        yield from embed_partition(rows, model)

    try:
        rdd = session.sparkContext.parallelize(texts, workers * 2).mapPartitions(partition)
        return dict(rdd.collect())
    finally:
        session.stop()


ENGINES = {"ray-data": ray_data, "ray-llama-index": ray_llama_index, "dask": dask, "spark": spark}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers: this interpreter
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    texts = corpus(args.texts)
    results: dict[int, dict[str, list[float]]] = {}
    if args.engine.startswith("ray"):
        start_ray(max(args.workers))
    for workers in args.workers:
        results[workers] = ENGINES[args.engine](texts, workers)
    with open(args.out, "w") as out:
        json.dump(results, out)
    print(f"{args.engine}: {', '.join(str(w) for w in args.workers)} workers done", flush=True)


if __name__ == "__main__":
    main()
