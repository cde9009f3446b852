"""What the core client does when the relay misbehaves, shown on the local emulator.

    python examples/reliability_demo.py

- a 429 with ``Retry-After: 1`` then a 200: one success after about a second;
- a 401: the authentication error with the relay's message, not retried;
- a connection closed mid-stream: ``StreamError``, keeping the text that arrived;
- a stream that just stops (no finish_reason, no [DONE]): ``StreamError`` too.
"""

from __future__ import annotations

import time

from wenwen import ChatRequest, Message, WenwenClient, errors
from wenwen_emulator import Emulator

QUESTION = ChatRequest(
    model="gpt-4o-mini",
    messages=[
        Message.of("system", "The relay retries rate-limited calls. Streams keep partial text."),
        Message.of("user", "What does the relay do with rate-limited calls?"),
    ],
)


def main() -> None:
    with Emulator() as emu:
        client = WenwenClient(api_key=emu.api_key, base_url=emu.base_url)

        emu.inject("status:429;retry_after=1", times=1)
        started = time.perf_counter()
        reply = client.chat(QUESTION)
        waited = time.perf_counter() - started
        print(f"429 + Retry-After: 1 -> success after {waited:.2f} s: {reply.text!r}")

        emu.reset()
        bad = WenwenClient(api_key="sk-wrong", base_url=emu.base_url, max_retries=5)
        try:
            bad.chat(QUESTION)
        except errors.AuthenticationError as exc:
            attempts = sum(r.path == "/v1/chat/completions" for r in emu.requests)
            print(f"401 -> {type(exc).__name__} after {attempts} attempt(s): {exc.message}")

        for fault in ("midstream_close:5", "truncate:5"):
            emu.inject(fault, times=1)
            try:
                with client.stream(QUESTION) as stream:
                    for _ in stream:
                        pass
            except errors.StreamError as exc:
                kept = exc.partial.text if exc.partial else ""
                print(f"{fault} -> StreamError({exc.message!r}); kept {kept!r}")


if __name__ == "__main__":
    main()
