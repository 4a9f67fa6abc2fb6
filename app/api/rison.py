"""FAB checks every API request's ``q`` argument with ``jsonschema.validate``, which first checks
the schema itself against the JSON Schema meta-schema: ~9 ms of a ~20 ms API list request. The
schemas are FAB's constants: each is checked once and its validator kept; each request's
argument is still validated in full, with the same error (``best_match``) as before."""
from __future__ import annotations

from types import SimpleNamespace

import jsonschema
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


def quicken_rison() -> None:
    import flask_appbuilder.api as fab_api

    if getattr(fab_api.jsonschema, "validate", None) is validate:
        return
    from ..fab_overrides import require

    require(getattr(fab_api, "jsonschema", None) is jsonschema, "flask_appbuilder.api.jsonschema")
    fab_api.jsonschema = SimpleNamespace(validate=validate, ValidationError=jsonschema.ValidationError)
