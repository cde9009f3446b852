from hypothesis import given, settings
from hypothesis import strategies as st

from wenwen._http.sse import ServerSentEvent, SSEDecoder

STREAM = (
    b": PING\n\n"
    b'data: {"a": 1}\n\n'
    b'event: message_start\r\ndata: {"b": 2}\r\n\r\n'
    b"data:no-space\n\n"
    b"data: line1\ndata: line2\n\n"
    b"id: 7\nretry: 1500\ndata: x\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    ServerSentEvent(data='{"a": 1}'),
    ServerSentEvent(data='{"b": 2}', event="message_start"),
    ServerSentEvent(data="no-space"),
    ServerSentEvent(data="line1\nline2"),
    ServerSentEvent(data="x", id="7", retry=1500),
    ServerSentEvent(data="[DONE]", id="7"),  # the last event id persists (WHATWG)
]


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def test_decodes_comments_crlf_and_multiline() -> None:
    assert decode([STREAM]) == EXPECTED


def test_every_split_point_gives_the_same_events() -> None:
    for i in range(len(STREAM) + 1):
        assert decode([STREAM[:i], STREAM[i:]]) == EXPECTED, i


def test_byte_by_byte() -> None:
    assert decode([bytes([b]) for b in STREAM]) == EXPECTED


def test_lone_cr_line_endings() -> None:
    assert decode([b"data: a\r\rdata: b\r\r"]) == [ServerSentEvent("a"), ServerSentEvent("b")]


def test_relay_extra_blank_line_and_trailing_event_without_blank_line() -> None:
    events = decode([b"event: ping\ndata: {}\n\n\n", b"data: tail"])
    assert events == [ServerSentEvent("{}", event="ping"), ServerSentEvent("tail")]


def test_multibyte_utf8_split_across_chunks() -> None:
    raw = "data: 你好\n\n".encode()
    for i in range(len(raw) + 1):
        assert decode([raw[:i], raw[i:]]) == [ServerSentEvent("你好")]


def test_one_long_line_in_many_chunks() -> None:
    payload = "QUJD" * 50_000
    raw = f"data: {payload}\r\n\r\n".encode()
    chunks = [raw[i : i + 997] for i in range(0, len(raw), 997)]
    assert decode(chunks) == [ServerSentEvent(payload)]


TEXT = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)))
EVENTS = st.lists(
    st.tuples(st.one_of(st.none(), TEXT.filter(bool)), st.lists(TEXT, min_size=1, max_size=3)),
    max_size=6,
)
ENDINGS = st.sampled_from([b"\n", b"\r\n", b"\r"])


@settings(max_examples=200, deadline=None)
@given(events=EVENTS, data=st.data())
def test_any_stream_split_anywhere_gives_its_events(
    events: list[tuple[str | None, list[str]]], data: st.DataObject
) -> None:
    lines: list[bytes] = []
    for name, values in events:
        if data.draw(st.booleans()):
            lines.append(b": keep-alive")
        if name is not None:
            lines.append(f"event: {name}".encode())
        lines.extend(f"data: {value}".encode() for value in values)
        lines.append(b"")
    ending = data.draw(ENDINGS)  # one per stream: "\r" then an empty "\n" line is a CRLF
    raw = b"".join(line + ending for line in lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=8)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    expected = [ServerSentEvent("\n".join(values), event=name) for name, values in events]
    assert decode(chunks) == expected


def test_an_empty_chunk_between_cr_and_lf_changes_nothing() -> None:
    assert decode([b"data: a\r", b"", b"\n\r\n"]) == [ServerSentEvent("a")]
