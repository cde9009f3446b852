"""Midjourney replies checked against the midjourney-proxy task schema
(tests/data/midjourney-task.schema.json), through a task's whole life: submitted, running,
succeeded, an action on it, a failure. The route has no official SDK or spec: this schema,
written from the proxy's own Task class, is the independent check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from wenwen_emulator import Emulator

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "midjourney-task.schema.json").read_text()
)


def check(kind: str, value: Any) -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{kind}"}
    jsonschema.Draft202012Validator(schema).validate(value)


def submit(http: httpx.Client, path: str, body: dict[str, Any]) -> str:
    reply = http.post(path, json=body).json()
    check("submitReply", reply)
    assert reply["code"] in (1, 22)
    return str(reply["result"])


def fetch(http: httpx.Client, task_id: str) -> dict[str, Any]:
    task = http.get(f"/mj/task/{task_id}/fetch").json()
    check("task", task)
    return task


@pytest.mark.parametrize("prefix", ["", "/mj-fast"])
def test_a_task_through_its_life(http: httpx.Client, emu: Emulator, prefix: str) -> None:
    task_id = submit(http, prefix + "/mj/submit/imagine", {"prompt": "a red fox"})
    seen = [fetch(http, task_id)["status"]]
    for seconds in (2, 5, 60):
        emu.clock.advance(seconds)
        seen.append(fetch(http, task_id)["status"])
    assert seen[-1] == "SUCCESS" and "IN_PROGRESS" in seen
    done = fetch(http, task_id)
    upscale = next(b for b in done["buttons"] if b["label"] == "U1")
    child = submit(http, "/mj/submit/action", {"taskId": task_id, "customId": upscale["customId"]})
    emu.clock.advance(120)
    assert fetch(http, child)["action"] == "UPSCALE"
    listed = http.post("/mj/task/list-by-condition", json={"ids": [task_id, child]}).json()
    for task in listed:
        check("task", task)


def test_a_failed_task(http: httpx.Client, emu: Emulator) -> None:
    emu.fail_next_task("banned image")
    task_id = submit(http, "/mj/submit/imagine", {"prompt": "a fox"})
    emu.clock.advance(120)
    task = fetch(http, task_id)
    assert task["status"] == "FAILURE" and task["failReason"] == "banned image"


def test_the_schema_rejects_a_reply_missing_proxy_fields() -> None:
    with pytest.raises(jsonschema.ValidationError):
        check("task", {"id": "1", "action": "IMAGINE", "status": "SUCCESS"})
