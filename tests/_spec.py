"""Validate JSON instances against the vendors' OpenAPI specs (shared test helper).

``validate_openai("CreateChatCompletionResponse", body)`` and
``validate_anthropic("Message", body, relay_tolerant=False)`` raise ``AssertionError`` listing
the schema violations. The specs are loaded once per process (about 1 s each) from
``tests/data/specs`` (copied into the repository with their origin and checksum), or from
``$WENWEN_SPECS_DIR`` when that is set; a missing spec fails the test, it never skips.

Preprocessing (see shared/research/relay-and-wire.md §7.2): OpenAPI 3.0 ``nullable: true`` is
rewritten to allow ``null``. ``relay_tolerant=True`` additionally stops requiring properties
that may be null (relays converting between formats omit them).
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
_FILES = {"openai": "openai-openapi.yaml", "anthropic": "anthropic-openapi.yaml"}


SPEC_DIR = _ROOT / "tests" / "data" / "specs"


def _spec_dir() -> Path:
    override = os.environ.get("WENWEN_SPECS_DIR", "")
    return Path(override) if override else SPEC_DIR


def _allows_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("nullable") is True or schema.get("type") == "null":
        return True
    if isinstance(schema.get("type"), list) and "null" in schema["type"]:
        return True
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    return any(_allows_null(b) for b in branches)


def _rewrite(node: Any, tolerant: bool) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, tolerant) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _rewrite(value, tolerant) for key, value in node.items()}
    if (
        tolerant
        and isinstance(out.get("required"), list)
        and isinstance(node.get("properties"), dict)
    ):
        props = node["properties"]
        out["required"] = [r for r in out["required"] if not _allows_null(props.get(r))]
    if out.pop("nullable", None) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif isinstance(kind, list):
            if "null" not in kind:
                out["type"] = [*kind, "null"]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _raw_spec(vendor: str) -> dict[str, Any]:
    import yaml

    with open(_spec_dir() / _FILES[vendor], encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def _registry(vendor: str, tolerant: bool) -> Any:
    import referencing
    from referencing.jsonschema import DRAFT202012

    spec = _rewrite(copy.deepcopy(_raw_spec(vendor)), tolerant)
    resource = referencing.Resource.from_contents(spec, default_specification=DRAFT202012)
    return referencing.Registry().with_resource(f"urn:{vendor}-spec", resource)


@functools.cache
def _validator(vendor: str, name: str, tolerant: bool) -> Any:
    import jsonschema

    if name not in _raw_spec(vendor)["components"]["schemas"]:
        raise KeyError(f"{vendor} spec has no schema {name!r}")
    schema = {"$ref": f"urn:{vendor}-spec#/components/schemas/{name}"}
    return jsonschema.Draft202012Validator(schema, registry=_registry(vendor, tolerant))


def _check(vendor: str, name: str, instance: Any, tolerant: bool) -> None:
    errors = sorted(_validator(vendor, name, tolerant).iter_errors(instance), key=lambda e: e.path)
    if errors:
        lines = [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
            for e in errors[:10]
        ]
        raise AssertionError(f"{vendor} {name}: {len(errors)} error(s)\n" + "\n".join(lines))


def validate_openai(schema_name: str, instance: Any, relay_tolerant: bool = False) -> None:
    """Validate against ``components.schemas[schema_name]`` of the OpenAI spec
    (``relay_tolerant`` drops nullable ``required``, as for Anthropic)."""
    _check("openai", schema_name, instance, relay_tolerant)


def validate_anthropic(schema_name: str, instance: Any, relay_tolerant: bool = False) -> None:
    """Validate against the Anthropic spec (``relay_tolerant`` drops nullable ``required``)."""
    _check("anthropic", schema_name, instance, relay_tolerant)


@functools.cache
def _responses_request_validator() -> Any:
    import jsonschema
    import referencing
    from referencing.jsonschema import DRAFT202012

    spec = _rewrite(copy.deepcopy(_raw_spec("openai")), False)
    item = spec["components"]["schemas"]["InputItem"]
    item["anyOf"] = item.pop("oneOf")
    resource = referencing.Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = referencing.Registry().with_resource("urn:openai-request", resource)
    schema = {"$ref": "urn:openai-request#/components/schemas/CreateResponse"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validate_responses_request(body: Any) -> None:
    """A ``POST /v1/responses`` body against ``CreateResponse``, with the spec's
    ``InputItem`` oneOf read as anyOf: a user message with list content matches both
    EasyInputMessage and InputMessage, so no such message could pass the oneOf (a defect of
    the spec, not of a request)."""
    errors = sorted(_responses_request_validator().iter_errors(body), key=lambda e: e.path)
    if errors:
        lines = [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
            for e in errors[:10]
        ]
        raise AssertionError("openai CreateResponse:\n" + "\n".join(lines))
