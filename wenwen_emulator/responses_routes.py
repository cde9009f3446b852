"""``POST /v1/responses`` (JSON and named-event SSE), ``GET`` / ``DELETE
/v1/responses/{id}``: the OpenAI Responses API over the mock model.

Behaviour beyond the mock model's (documented for users' own tests):

* Reasoning models reply with a ``reasoning`` item; its summary is filled when
  ``reasoning.summary`` is set, and ``encrypted_content`` (opaque, HMAC-signed) is added
  when ``include`` asks for ``reasoning.encrypted_content``. A replayed item whose payload
  does not verify is a 400.
* With a ``web_search_preview`` / ``web_search`` tool, a text answer is preceded by a
  ``web_search_call`` item and cites two deterministic, clearly fake sources under
  ``https://example.com/`` with ``url_citation`` annotations.
* Replies are stored unless ``store`` is false; ``previous_response_id`` prepends the stored
  conversation (an unknown id is a 404), and its tokens are reported as cached.
* ``max_output_tokens`` cuts the answer and gives ``status: "incomplete"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from .context import Ctx, dumps
from .errors import ErrorResponse, json_response, openai_error, with_id
from .faults import Frame
from .mock_model import GREETING, Reply, last_user_index, prompt_tokens, stable_hex, textutil
from .responses_in import ResponsesPrompt, build_prompt, seal_reasoning
from .sse import pieces, sse_response
from .tokens import count_tokens

PREFIX = "/v1/responses/"
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class _Output:
    items: list[dict[str, Any]]
    status: str
    usage: dict[str, Any]


# --- the mock model's reply as output items -----------------------------------------------


def _search_results(question: str) -> list[tuple[str, str]]:
    topic = textutil.keyword(question) or "the question"
    slug = _SLUG_RE.sub("-", topic.lower()).strip("-") or "search"
    return [
        (f"https://example.com/{slug}", f"{topic.title()} - Example Encyclopedia"),
        (f"https://example.com/news/{slug}", f"Latest on {topic} - Example News"),
    ]


def _cited_text(answer: str, results: list[tuple[str, str]]) -> tuple[str, list[dict[str, Any]]]:
    """The answer followed by markdown links to the sources, each link cited."""
    text = answer if answer != GREETING else "Here is what the web says."
    text += " Sources: "
    annotations = []
    for position, (url, title) in enumerate(results):
        if position:
            text += ", "
        link = f"[{title}]({url})"
        annotations.append(
            {
                "type": "url_citation",
                "url": url,
                "title": title,
                "start_index": len(text),
                "end_index": len(text) + len(link),
            }
        )
        text += link
    return text + ".", annotations


def _search(rp: ResponsesPrompt, reply: Reply, question: str) -> dict[str, Any] | None:
    """Decorate a text answer with a web search: its call item, links and citations."""
    searchable = rp.prompt.json_schema is None and not rp.prompt.json_object
    if rp.web_search is None or reply.tool_calls or reply.finish == "length" or not searchable:
        return None
    results = _search_results(question)
    before = count_tokens(reply.text)
    reply.text, annotations = _cited_text(reply.text, results)
    reply.completion_tokens += count_tokens(reply.text) - before
    action = {
        "type": "search",
        "query": question,
        "sources": [{"type": "url", "url": url} for url, _ in results],
    }
    return {"action": action, "annotations": annotations}


def _output(ctx: Ctx, body: dict[str, Any], rp: ResponsesPrompt, reply: Reply) -> _Output:
    seed = stable_hex(ctx.request_id, ctx.body, length=32)
    turns = rp.prompt.turns
    last_user = last_user_index(turns)
    question = textutil.split_question(turns[last_user].text if last_user >= 0 else "")[0]
    search = _search(rp, reply, question)
    items: list[dict[str, Any]] = []
    if reply.reasoning:
        items.append(_reasoning_item(ctx, body, reply, seed))
    if search is not None:
        items.append(
            {
                "id": f"ws_{seed}",
                "type": "web_search_call",
                "status": "completed",
                "action": search["action"],
            }
        )
    status = "incomplete" if reply.finish == "length" else "completed"
    if reply.text or reply.refusal or not reply.tool_calls:
        annotations = search["annotations"] if search else []
        content: dict[str, Any] = {
            "type": "output_text",
            "text": reply.text,
            "annotations": annotations,
            "logprobs": [],
        }
        if reply.refusal and not reply.text:
            content = {"type": "refusal", "refusal": reply.refusal}
        items.append(
            {
                "id": f"msg_{seed}",
                "type": "message",
                "status": status,
                "role": "assistant",
                "content": [content],
            }
        )
    for call in reply.tool_calls:
        items.append(
            {
                "id": f"fc_{call.id}",
                "type": "function_call",
                "status": "completed",
                "call_id": f"call_{call.id}",
                "name": call.name,
                "arguments": call.arguments_json,
            }
        )
    return _Output(items, status, _usage(rp, reply))


def _reasoning_item(ctx: Ctx, body: dict[str, Any], reply: Reply, seed: str) -> dict[str, Any]:
    config = _dict(body.get("reasoning"))
    summary = [{"type": "summary_text", "text": reply.reasoning}] if config.get("summary") else []
    item: dict[str, Any] = {"id": f"rs_{seed}", "type": "reasoning", "summary": summary}
    include = body.get("include")
    include = include if isinstance(include, list) else []
    if "reasoning.encrypted_content" in include:
        item["encrypted_content"] = seal_reasoning(ctx.state.secret, reply.reasoning)
    return item


def _usage(rp: ResponsesPrompt, reply: Reply) -> dict[str, Any]:
    prompt = reply.prompt_tokens
    long_prompt_cache = ((prompt - 1) // 128) * 128 if prompt > 1024 else 0
    cached = min(prompt, max(rp.stored_tokens, long_prompt_cache))
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
        "output_tokens": reply.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
        "total_tokens": prompt + reply.completion_tokens,
    }


def response_object(
    ctx: Ctx, body: dict[str, Any], model: str, output: _Output | None
) -> dict[str, Any]:
    """The ``Response`` object; ``output=None`` gives the in-progress shell of a stream."""
    reasoning = _dict(body.get("reasoning"))
    text = _dict(body.get("text"))
    status = output.status if output else "in_progress"
    incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
    response = {
        "id": f"resp_{stable_hex(ctx.request_id, ctx.body, length=32)}",
        "object": "response",
        "created_at": ctx.created(),
        "status": status,
        "error": None,
        "incomplete_details": incomplete,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": model,
        "output": output.items if output else [],
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "store": body.get("store") is not False,
        "temperature": body.get("temperature", 1.0),
        "text": {"format": text.get("format") or {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "metadata": body.get("metadata") or {},
    }
    if output is not None:
        response["usage"] = output.usage
    if isinstance(body.get("user"), str):
        response["user"] = body["user"]
    return response


# --- named-event stream -------------------------------------------------------------------


class _Events:
    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def add(self, kind: str, final: bool = False, **data: Any) -> None:
        payload = {"type": kind, "sequence_number": len(self.frames), **data}
        self.frames.append(Frame(f"event: {kind}\ndata: {dumps(payload)}\n\n", final=final))


def _item_events(events: _Events, index: int, item: dict[str, Any]) -> None:
    kind, item_id = item["type"], item["id"]
    at = {"item_id": item_id, "output_index": index}
    if kind == "message":
        events.add(
            "response.output_item.added",
            output_index=index,
            item={**item, "content": [], "status": "in_progress"},
        )
        for c_index, content in enumerate(item["content"]):
            if content["type"] == "refusal":
                _refusal_events(events, at, c_index, content)
                continue
            empty = {**content, "text": "", "annotations": []}
            events.add("response.content_part.added", **at, content_index=c_index, part=empty)
            for piece in pieces(content["text"]):
                events.add(
                    "response.output_text.delta",
                    **at,
                    content_index=c_index,
                    delta=piece,
                    logprobs=[],
                )
            for a_index, annotation in enumerate(content["annotations"]):
                events.add(
                    "response.output_text.annotation.added",
                    **at,
                    content_index=c_index,
                    annotation_index=a_index,
                    annotation=annotation,
                )
            events.add(
                "response.output_text.done",
                **at,
                content_index=c_index,
                text=content["text"],
                logprobs=[],
            )
            events.add("response.content_part.done", **at, content_index=c_index, part=content)
    elif kind == "reasoning":
        shell = {k: v for k, v in item.items() if k != "encrypted_content"}
        events.add("response.output_item.added", output_index=index, item={**shell, "summary": []})
        for s_index, part in enumerate(item["summary"]):
            empty = {"type": "summary_text", "text": ""}
            events.add(
                "response.reasoning_summary_part.added", **at, summary_index=s_index, part=empty
            )
            for piece in pieces(part["text"]):
                events.add(
                    "response.reasoning_summary_text.delta",
                    **at,
                    summary_index=s_index,
                    delta=piece,
                )
            events.add(
                "response.reasoning_summary_text.done",
                **at,
                summary_index=s_index,
                text=part["text"],
            )
            events.add(
                "response.reasoning_summary_part.done", **at, summary_index=s_index, part=part
            )
    elif kind == "function_call":
        events.add(
            "response.output_item.added",
            output_index=index,
            item={**item, "arguments": "", "status": "in_progress"},
        )
        for piece in pieces(item["arguments"], 6):
            events.add("response.function_call_arguments.delta", **at, delta=piece)
        events.add(
            "response.function_call_arguments.done",
            **at,
            arguments=item["arguments"],
            name=item["name"],
        )
    else:  # web_search_call
        events.add(
            "response.output_item.added", output_index=index, item={**item, "status": "in_progress"}
        )
        events.add("response.web_search_call.completed", **at)
    events.add("response.output_item.done", output_index=index, item=item)


def _refusal_events(
    events: _Events, at: dict[str, Any], c_index: int, content: dict[str, Any]
) -> None:
    events.add(
        "response.content_part.added", **at, content_index=c_index, part={**content, "refusal": ""}
    )
    for piece in pieces(content["refusal"]):
        events.add("response.refusal.delta", **at, content_index=c_index, delta=piece)
    events.add("response.refusal.done", **at, content_index=c_index, refusal=content["refusal"])
    events.add("response.content_part.done", **at, content_index=c_index, part=content)


def stream_frames(ctx: Ctx, shell: dict[str, Any], final: dict[str, Any]) -> list[Frame]:
    events = _Events()
    events.add("response.created", response=shell)
    events.add("response.in_progress", response=shell)
    for index, item in enumerate(final["output"]):
        _item_events(events, index, item)
    terminal = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.add(terminal, final=True, response=final)
    if "responses_done" in ctx.quirks:  # some relays end every stream with [DONE]
        events.frames.append(Frame("data: [DONE]\n\n", final=True))
    return events.frames


def error_frame(ctx: Ctx) -> str:
    data = {
        "type": "error",
        "code": "server_error",
        "message": with_id("upstream error", ctx.request_id),
        "param": None,
        "sequence_number": 0,
    }
    return f"event: error\ndata: {dumps(data)}\n\n"


# --- handlers -----------------------------------------------------------------------------


async def create(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = ctx.model(body)
    if info.kind != "chat":
        raise ctx.bad(
            f"model {info.id} does not support the Responses API", code="model_not_supported"
        )
    rp = build_prompt(ctx, body, info)
    reply = ctx.reply(rp.prompt)
    output = _output(ctx, body, rp, reply)
    final = response_object(ctx, body, info.id, output)
    if body.get("store") is not False:
        ctx.state.responses[final["id"]] = {"response": final, "items": rp.items + output.items}
    if body.get("stream") is True:
        shell = response_object(ctx, body, info.id, None)
        return sse_response(ctx, stream_frames(ctx, shell, final), error_frame(ctx))
    return json_response(final)


def _not_found(ctx: Ctx, response_id: str) -> ErrorResponse:
    message = f"Response with id '{response_id}' not found."
    return ErrorResponse(
        openai_error(
            404,
            message,
            ctx.request_id,
            type="invalid_request_error",
            code=None,
            param="response_id",
        )
    )


async def retrieve(ctx: Ctx, response_id: str) -> Response:
    stored = ctx.state.responses.get(response_id)
    if stored is None:
        raise _not_found(ctx, response_id)
    return json_response(stored["response"])


async def delete(ctx: Ctx, response_id: str) -> Response:
    if ctx.state.responses.pop(response_id, None) is None:
        raise _not_found(ctx, response_id)
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


async def input_tokens(ctx: Ctx) -> Response:
    """``POST /v1/responses/input_tokens``: the ``usage.input_tokens`` ``POST /v1/responses``
    bills for the same body (stored ``previous_response_id`` items included)."""
    body = ctx.json_body()
    info = ctx.model(body)
    if info.kind != "chat":
        raise ctx.bad(
            f"model {info.id} does not support the Responses API", code="model_not_supported"
        )
    rp = build_prompt(ctx, body, info)
    return json_response(
        {"object": "response.input_tokens", "input_tokens": prompt_tokens(rp.prompt)}
    )
