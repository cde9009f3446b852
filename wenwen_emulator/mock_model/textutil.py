# ruff: noqa: RUF001, RUF002  (CJK punctuation and curly quotes are intended)
"""Text helpers for the mock model: sentences, content words, quotes, numbers, keywords."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "please",
        "tell",
        "let",
        "lets",
        "us",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "s",
        "t",
        "don",
        "dont",
        "doesn",
        "isn",
        "aren",
        "wasn",
        "weren",
        "ok",
        "okay",
        "yes",
        "hi",
        "hey",
    ]
)

# Words of RAG prompt templates (LlamaIndex / LangChain) that must never make a sentence win.
BOILERPLATE = frozenset(
    [
        "context",
        "information",
        "given",
        "prior",
        "knowledge",
        "answer",
        "query",
        "question",
        "below",
        "following",
        "use",
        "pieces",
        "retrieved",
        "helpful",
        "assistant",
        "concise",
        "sentences",
        "maximum",
        "keep",
        "know",
        "say",
        "tasks",
        "based",
        "provided",
    ]
)

CJK_STOP = frozenset("的了是吗呢吧啊这那个一不我你他她它们在有和什么怎样么请问")

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_WORD_RE = re.compile(r"[a-z0-9]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_QUOTE_RES = (
    re.compile(r"(?<!\w)'([^'\n]+?)'(?!\w)"),
    re.compile(r'"([^"\n]+?)"'),
    re.compile(r"“([^”\n]+?)”"),
    re.compile(r"‘([^’\n]+?)’"),
    re.compile(r"「([^」\n]+?)」"),
    re.compile(r"『([^』\n]+?)』"),
)
_NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w])")
_LOCATION_RE = re.compile(
    r"\b(?:in|for|at|near|from|to)\s+"
    r"([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:,\s*[A-Z][\w'’-]*)?)"
)
_KEYWORD_RE = re.compile(r"[^\W\d_](?:[\w-]|['’](?=\w))*")  # quotes only inside a word
# "Query:", "Question:", "Follow Up Input:", and header lines such as "<User Question>"
_QUESTION_MARKER = re.compile(r"(?i)\b(?:query|question|follow up input)\s*(?::|>[ \t]*\n)")
_AFTER_QUESTION = re.compile(
    r"(?i)(?:\n\s*(?:context|sources?|documents?)\s*:|\banswer\s*:|\n[^\n]*\bquestion\s*:"
    r"|\n[ \t]*\n|\n\s*(?:thought|action)\s*:)"
)


_LABEL_RE = re.compile(
    r"(?i)^(?:context|answer|question|query|sources?|documents?|text|passage|input|output|"
    r"user|assistant|system|human|ai)\s*:\s*"
)


def sentences(text: str) -> list[str]:
    """Split ``text`` into trimmed, non-empty sentences (also splitting on newlines).

    A leading prompt label such as ``Context:`` is removed from a sentence.
    """
    out = []
    for part in _SENTENCE_SPLIT.split(text):
        part = _LABEL_RE.sub("", part.strip()) if part else ""
        if part:
            out.append(part)
    return out


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    """Lower-cased, stemmed words of ``text`` without stopwords and prompt boilerplate."""
    out: set[str] = set()
    for word in _WORD_RE.findall(text.lower()):
        if word in STOPWORDS or word in BOILERPLATE or word in CJK_STOP:
            continue
        out.add(_stem(word))
    return out


def split_question(text: str) -> tuple[str, str]:
    """Split the last user message into ``(question, context_text)``.

    A ``Query:``/``Question:`` marker (RAG templates) wins: the question is the text after the
    last marker up to an ``Answer:``/``Context:`` label. Otherwise the question is the last
    sentence ending in ``?`` plus anything after it (or just the last sentence) and the
    sentences before it are context.
    """
    # the last marker with text after it: LlamaIndex's condense prompt ends with an empty
    # "Standalone question:" after the "Follow Up Input:" that holds the question
    for marker in reversed(list(_QUESTION_MARKER.finditer(text))):
        after = text[marker.end() :]
        cut = _AFTER_QUESTION.search(after)
        question = (after[: cut.start()] if cut else after).strip()
        if not question:
            continue
        rest = after[cut.start() :] if cut else ""
        return question, text[: marker.start()] + "\n" + rest
    parts = sentences(text)
    if not parts:
        return "", ""
    start = len(parts) - 1
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].endswith(("?", "？")):
            start = i
            break
    return " ".join(parts[start:]), "\n".join(parts[:start])


def quote_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, inner text)`` of the quoted spans, in order of appearance."""
    found: list[tuple[int, int, str]] = []
    for rx in _QUOTE_RES:
        found.extend((m.start(), m.end(), m.group(1).strip()) for m in rx.finditer(text))
    return [span for span in sorted(found) if span[2]]


def quotes(text: str) -> list[str]:
    """Quoted spans in order of appearance ('…', "…", “…”, ‘…’, 「…」, 『…』)."""
    return [inner for _, _, inner in quote_spans(text)]


def whole_quote(text: str, pos: int, word: str) -> str:
    """``word`` found at ``pos``, or the whole quoted value it sits in: a value quoted in a
    prompt (``"Alice Smith"``) is one value, never cut to a word of it."""
    for start, end, inner in quote_spans(text):
        if start < pos < end:
            return inner
    return word


def numbers(text: str) -> list[float]:
    """Numbers in ``text`` in order of appearance."""
    return [float(m.group(0)) for m in _NUMBER_RE.finditer(text)]


def location(text: str) -> str | None:
    """A capitalised place name following in/for/at/near/from/to, if any."""
    match = _LOCATION_RE.search(text)
    return match.group(1).strip() if match else None


def _candidates(text: str, exclude: frozenset[str]) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(0))
        for m in _KEYWORD_RE.finditer(text)
        if m.group(0).lower() not in STOPWORDS and m.group(0).lower() not in exclude
    ]


def _proper_noun(text: str, words: list[tuple[int, str]]) -> str | None:
    for pos, word in words:
        before = text[:pos].rstrip()
        if word[0].isupper() and before and before[-1] not in ".!?\n" and len(word) > 1:
            return whole_quote(text, pos, word)
    return None


def keyword(text: str, exclude: frozenset[str] = frozenset()) -> str:
    """The most salient word of ``text``, looking at its question part first: a capitalised
    word inside a sentence, else the longest word; ``"value"`` if there is no word at all."""
    focus = split_question(text)[0]
    scopes = [(focus, _candidates(focus, exclude)), (text, _candidates(text, exclude))]
    for scope, words in scopes:
        noun = _proper_noun(scope, words)
        if noun:
            return noun
    for scope, words in scopes:
        if words:
            pos, word = max(words, key=lambda w: (len(w[1]), -w[0]))
            return whole_quote(scope, pos, word)
    return "value"


def mentions(text: str, phrase: str) -> int:
    """Position of ``phrase`` in ``text`` (case-insensitive, word-bounded), or -1."""
    if not phrase:
        return -1
    match = re.search(r"(?<![\w])" + re.escape(phrase.lower()) + r"(?![\w])", text.lower())
    return match.start() if match else -1


def overlap(wanted: set[str], offered: set[str]) -> int:
    """How many ``wanted`` content words ``offered`` has, counting words that share a stem
    of five letters (``multiplied``/``multiply``, ``forecasting``/``forecast``) as equal."""
    hits = 0
    for word in wanted:
        if word in offered or (
            len(word) >= 5 and any(len(o) >= 5 and o[:5] == word[:5] for o in offered)
        ):
            hits += 1
    return hits
