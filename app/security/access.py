"""Run-time permission questions asked by code that is not a FAB-decorated view method."""
from __future__ import annotations

from flask import current_app


def views_of(kind: str) -> list:
    return [view for view in current_app.appbuilder.baseviews if getattr(view, "data_kind", None) == kind]


def may(kind: str, verb: str = "list") -> bool:
    """Whether this request's user may ``verb`` data of ``kind`` on some screen."""
    sm = current_app.appbuilder.sm
    return any(sm.has_access(f"can_{verb}", view.class_permission_name) for view in views_of(kind))
