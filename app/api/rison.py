"""Rison (``?q=``) read by a bounded parser: nesting deeper than any real query (FAB's filters are
four levels deep) and numbers Python cannot read are malformed arguments, which FAB answers with a
400 (a deep one reached a RecursionError further on, a bad number a ValueError: 500s).

FAB checks every API request's ``q`` argument with ``jsonschema.validate``, which first checks
the schema itself against the JSON Schema meta-schema: ~9 ms of a ~20 ms API list request. The
schemas are FAB's constants: each is checked once and its validator kept; each request's
argument is still validated in full, with the same error (``best_match``) as before."""
from __future__ import annotations

from types import SimpleNamespace

import jsonschema
import prison
from jsonschema.exceptions import best_match

from ..caching import Memo

_VALIDATORS = Memo()  # id(schema) → (schema, its validator): FAB's few constant schemas


def _checked(schema) -> tuple[dict, jsonschema.protocols.Validator]:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return schema, cls(schema)


def validate(instance, schema) -> None:
    """``jsonschema.validate``, the schema checked once per process."""
    kept = _VALIDATORS.get(id(schema), lambda: _checked(schema), fresh=lambda kept: kept[0] is schema)
    error = best_match(kept[1].iter_errors(instance))
    if error is not None:
        raise error


MAX_DEPTH = 10


def _depth(text: str) -> int:
    """How deep ``text``'s objects and arrays nest (brackets inside quoted strings do not count)."""
    depth = deepest = 0
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "!":
            escaped = quoted  # "!(" opens an array; inside a string "!" escapes the next character
        elif char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def loads(text: str):
    """``prison.loads``, refusing what cannot be a real query with its ParserException."""
    if _depth(text) > MAX_DEPTH:
        raise prison.decoder.ParserException(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return prison.loads(text)
    except (ValueError, RecursionError, OverflowError) as error:
        raise prison.decoder.ParserException(str(error)) from None


def quicken_rison() -> None:
    """FAB's API reads rison with ``loads`` above and validates with ``validate`` above."""
    import flask_appbuilder.api as fab_api

    if getattr(fab_api.jsonschema, "validate", None) is validate:
        return
    from ..fab_overrides import require

    require(getattr(fab_api, "jsonschema", None) is jsonschema and getattr(fab_api, "prison", None) is prison,
            "flask_appbuilder.api.jsonschema and .prison")
    fab_api.jsonschema = SimpleNamespace(validate=validate, ValidationError=jsonschema.ValidationError)
    fab_api.prison = SimpleNamespace(loads=loads, decoder=prison.decoder)
