"""Administration screens for the secretary: who is given which grids, and the audit log."""
from __future__ import annotations

import json

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import ValidationError

from ..models import AuditEntry, UserScope
from ..models.choices import (AUDIT_ACTION, GENDER, PARTY_FLOW, POLITICAL_STATUS, RELATION_TO_HEAD,
                              RESIDENCE_TYPE)
from . import formatters as fmt
from .base import ScopedView
from .fields import choice_field, picker
from .registry import LABELS as REGISTRY_LABELS

LABELS = {
    "user": _l("User"), "community": _l("Whole community"), "grid": _l("Grid"), "note": _l("Note"),
    "at": _l("Time"), "username": _l("User"), "action": _l("Action"), "object_type": _l("Record type"),
    "object_id": _l("Record id"), "object_label": _l("Record"), "changes": _l("Changes"),
    "client_address": _l("Client address"),
}

OBJECT_TYPES = {"household": _l("Household"), "resident": _l("Resident"), "assignment": _l("Grid assignment"),
                "grid": _l("Grid"), "case": _l("Case"), "aid_voucher": _l("Aid voucher"),
                "contact_household": _l("Contact household"), "card_handover": _l("Service card handed over"),
                "grid_supervisor": _l("Supervisor"), "cobuilding_unit": _l("Co-building unit"),
                "cobuilding_support": _l("Support from a unit"), "meeting_follow_up": _l("Meeting follow-up")}


def _one_target(form, field):
    """A grid, or a whole community: exactly one of the two."""
    if (form.community.data is None) == (form.grid.data is None):
        raise ValidationError(_l("Choose either one grid or one whole community"))


class UserScopeView(ScopedView):
    """Users ↔ grids: what a grid manager, supervisor or volunteer may see."""

    datamodel = SQLAInterface(UserScope)
    data_kind = "assignment"
    list_title = show_title = _l("Grid assignments")
    add_title = _l("Give a user a grid or community")
    edit_title = _l("Edit grid assignment")
    label_columns = LABELS
    list_columns = show_columns = ["user", "grid", "community", "note"]
    add_columns = edit_columns = ["user", "community", "grid", "note"]
    search_columns = ["user", "grid", "community"]
    base_order = ("id", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "user": picker(LABELS["user"], "user"),
        "community": picker(LABELS["community"], "community", required=False),
        "grid": picker(LABELS["grid"], "grid", required=False, checks=[_one_target]),
    }
    search_form_extra_fields = {
        "user": picker(LABELS["user"], "user"),
        "grid": picker(LABELS["grid"], "grid"),
        "community": picker(LABELS["community"], "community"),
    }


CODED = {"gender": GENDER, "political_status": POLITICAL_STATUS, "relation_to_head": RELATION_TO_HEAD,
         "residence_type": RESIDENCE_TYPE, "party_flow": PARTY_FLOW}


def _field_label(field: str) -> str:
    key = field.removesuffix("_id")
    return str(REGISTRY_LABELS.get(key) or LABELS.get(key) or field)


def _field_value(field: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    return CODED[field].label(value) if field in CODED else str(value)


def _change_line(field: str, old, new) -> Markup:
    label, before, after = _field_label(field), _field_value(field, old), _field_value(field, new)
    if old is None:  # created
        return Markup("{}: {}").format(label, after)
    return Markup("{}: {} → {}").format(label, before, after if new is not None else "—")


def _changes(value) -> Markup:
    """``{"field": [old, new]}`` as lines "field: old → new", in the user's language."""
    if not value:
        return Markup("")
    return Markup("<br>").join(_change_line(field, old, new) for field, (old, new) in json.loads(value).items())


class AuditLogView(ScopedView):
    """Read-only in the app (no add, edit, delete routes); append-only in the database."""

    datamodel = SQLAInterface(AuditEntry)
    data_kind = "audit"
    scope_level = "community"
    base_permissions = ["can_list", "can_show"]
    include_route_methods = {"list", "show"}
    list_title = show_title = _l("Audit log")
    label_columns = LABELS
    list_columns = ["at", "username", "action", "object_type", "object_label", "client_address"]
    show_columns = ["at", "username", "action", "object_type", "object_id", "object_label", "changes",
                    "client_address"]
    search_columns = ["at", "username", "action", "object_type", "object_id", "client_address"]
    base_order = ("id", "desc")
    formatters_columns = {
        "at": fmt.local_time, "action": AUDIT_ACTION.label, "changes": _changes,
        "object_type": lambda value: str(OBJECT_TYPES.get(value, value or "")),
    }
    search_form_extra_fields = {"action": choice_field(LABELS["action"], AUDIT_ACTION)}
