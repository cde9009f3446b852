"""JSON schema → Gemini ``Schema`` (what ``functionDeclarations[].parameters`` accepts).

Gemini's Schema is an OpenAPI 3.0 subset: upper-case ``type`` names, ``nullable`` instead
of a ``null`` type, no ``$ref`` and no ``additionalProperties``. So ``$ref`` is inlined from
``$defs``/``definitions``, ``anyOf``/``oneOf``/type lists with ``null`` become ``nullable``,
``additionalProperties`` and pure annotations are dropped, and keywords that change what
is valid but have no Gemini spelling raise ``UnsupportedFeatureError`` naming the place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import UnsupportedFeatureError

_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
_FORMATS = {"enum", "date-time", "int32", "int64", "float", "double"}
_COPIED = (
    "description",
    "title",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "default",
    "example",
    "propertyOrdering",
)
_DROPPED = {
    "$schema",
    "$id",
    "$defs",
    "definitions",
    "$comment",
    "additionalProperties",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "strict",
    "unevaluatedProperties",
}
_UNEXPRESSIBLE = (
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "prefixItems",
    "dependentSchemas",
    "dependentRequired",
    "contains",
    "propertyNames",
    "multipleOf",
    "uniqueItems",
)
_MAX_DEPTH = 64


def to_gemini_schema(schema: Mapping[str, Any], *, owner: str) -> dict[str, Any]:
    """The Gemini Schema for JSON ``schema``; ``owner`` (e.g. ``tool 'search'``) names the
    schema in errors."""
    converter = _Converter(schema, owner)
    return converter.convert(schema, "#", depth=0, refs=())


class _Converter:
    def __init__(self, root: Mapping[str, Any], owner: str) -> None:
        self.defs: dict[str, Any] = {}
        for key in ("$defs", "definitions"):
            value = root.get(key)
            if isinstance(value, Mapping):
                self.defs.update({f"#/{key}/{name}": sub for name, sub in value.items()})
        self.owner = owner

    def fail(self, where: str, what: str) -> UnsupportedFeatureError:
        return UnsupportedFeatureError(
            f"{self.owner}: the JSON schema at {where} {what}, which Gemini's Schema cannot "
            "express; simplify the schema or use protocol='openai'"
        )

    def convert(
        self, schema: Any, where: str, *, depth: int, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        if schema is True or schema == {}:
            return {}
        if not isinstance(schema, Mapping):
            raise self.fail(where, f"is {schema!r}")
        if depth > _MAX_DEPTH:
            raise self.fail(where, "nests too deeply")
        if "$ref" in schema:
            return self._ref(schema, where, depth=depth, refs=refs)
        for keyword in _UNEXPRESSIBLE:
            if keyword in schema:
                raise self.fail(where, f"uses {keyword!r}")
        if "allOf" in schema:
            return self._all_of(schema, where, depth=depth, refs=refs)
        union = schema.get("anyOf", schema.get("oneOf"))
        if union is not None:
            return self._union(schema, union, where, depth=depth, refs=refs)
        out = self._type(schema, where)
        for key in _COPIED:
            if key in schema:
                out[key] = schema[key]
        self._enum(schema, out, where)
        self._exclusive_bounds(schema, out, where)
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            out["format"] = fmt
        self._children(schema, out, where, depth=depth, refs=refs)
        return out

    def _ref(
        self, schema: Mapping[str, Any], where: str, *, depth: int, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        ref = schema["$ref"]
        if ref in refs:
            raise self.fail(where, f"is recursive through {ref!r}")
        target = self.defs.get(ref)
        if target is None:
            raise self.fail(where, f"refers to {ref!r}, which is not in $defs")
        out = self.convert(target, ref, depth=depth + 1, refs=(*refs, ref))
        if isinstance(schema.get("description"), str):
            out["description"] = schema["description"]
        return out

    def _all_of(
        self, schema: Mapping[str, Any], where: str, *, depth: int, refs: tuple[str, ...]
    ) -> dict[str, Any]:
        members = schema["allOf"]
        if not isinstance(members, list) or len(members) != 1:
            raise self.fail(where, "combines several schemas with 'allOf'")
        out = self.convert(members[0], f"{where}/allOf/0", depth=depth + 1, refs=refs)
        if isinstance(schema.get("description"), str):
            out["description"] = schema["description"]
        return out

    def _union(
        self,
        schema: Mapping[str, Any],
        union: Any,
        where: str,
        *,
        depth: int,
        refs: tuple[str, ...],
    ) -> dict[str, Any]:
        if not isinstance(union, list) or not union:
            raise self.fail(where, "has an empty or malformed 'anyOf'")
        members = [m for m in union if not (isinstance(m, Mapping) and m.get("type") == "null")]
        nullable = len(members) < len(union)
        converted = [
            self.convert(m, f"{where}/anyOf/{i}", depth=depth + 1, refs=refs)
            for i, m in enumerate(members)
        ]
        out: dict[str, Any] = converted[0] if len(converted) == 1 else {"anyOf": converted}
        if not converted:
            out = {"type": "STRING"}
        if nullable:
            out["nullable"] = True
        for key in ("description", "title", "default"):
            if key in schema:
                out[key] = schema[key]
        return out

    def _type(self, schema: Mapping[str, Any], where: str) -> dict[str, Any]:
        raw = schema.get("type")
        names = raw if isinstance(raw, list) else [raw] if raw is not None else []
        if any(not isinstance(n, str) or n not in _TYPES for n in names):
            raise self.fail(where, f"has type {raw!r}")
        concrete = [n for n in names if n != "null"]
        if len(concrete) > 1:
            raise self.fail(where, f"allows several types {concrete}")
        out: dict[str, Any] = {}
        if concrete:
            out["type"] = concrete[0].upper()
        elif "properties" in schema:
            out["type"] = "OBJECT"
        elif "items" in schema:
            out["type"] = "ARRAY"
        elif "enum" in schema or "const" in schema:
            out["type"] = "STRING"
        if "null" in names:
            if concrete:
                out["nullable"] = True
            else:
                out["type"] = "NULL"
        return out

    def _exclusive_bounds(self, schema: Mapping[str, Any], out: dict[str, Any], where: str) -> None:
        """``exclusiveMinimum``/``Maximum`` become inclusive bounds: exact for integers (one
        step inward), the nearest inclusive bound for numbers."""
        step = 1 if out.get("type") == "INTEGER" else 0
        for keyword, bound, sign in (
            ("exclusiveMinimum", "minimum", 1),
            ("exclusiveMaximum", "maximum", -1),
        ):
            value = schema.get(keyword)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(where, f"has {keyword} {value!r}")
            out[bound] = value + sign * step

    def _enum(self, schema: Mapping[str, Any], out: dict[str, Any], where: str) -> None:
        values = schema.get("enum")
        if "const" in schema:
            values = [schema["const"]]
        if values is None:
            return
        kept = [v for v in values if v is not None]
        if len(kept) < len(values):
            out["nullable"] = True
        if not all(isinstance(v, str) for v in kept):
            raise self.fail(where, f"has non-string enum values {kept!r}")
        out["enum"] = kept
        out.setdefault("type", "STRING")
        if out["type"] == "STRING":
            out["format"] = "enum"

    def _children(
        self,
        schema: Mapping[str, Any],
        out: dict[str, Any],
        where: str,
        *,
        depth: int,
        refs: tuple[str, ...],
    ) -> None:
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            out["properties"] = {
                name: self.convert(sub, f"{where}/properties/{name}", depth=depth + 1, refs=refs)
                for name, sub in properties.items()
            }
            required = schema.get("required")
            if isinstance(required, list) and required:
                out["required"] = [r for r in required if r in properties]
        items = schema.get("items")
        if items is not None:
            out["items"] = self.convert(items, f"{where}/items", depth=depth + 1, refs=refs)
        unknown = set(schema) - _DROPPED - set(_COPIED) - _HANDLED
        if unknown:
            raise self.fail(where, f"uses {sorted(unknown)[0]!r}")


_HANDLED = {
    "type",
    "enum",
    "const",
    "format",
    "properties",
    "required",
    "items",
    "nullable",
    "exclusiveMinimum",
    "exclusiveMaximum",
}
