"""一个本: the diary (with whole-word Chinese search and "make a case"), home visits, and the
collective-demands view of a period."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from ..boundary import date_arg
from ..extensions import db
from ..models import DiaryEntry, Grid, Visit
from ..models.choices import DIARY_CATEGORY, VISIT_PURPOSE
from ..security import actor, scope
from ..services import words
from ..timekeeping import local_today
from .base import ScopedView
from .cases import MakesCases
from .fields import MultiPickerField, choice_field, picker

LABELS = {
    "entry_on": _l("Date"), "category": _l("Category"), "grid": _l("Grid"), "content": _l("Content"),
    "follow_up": _l("Follow-up needed"), "author": _l("Written by"), "case": _l("Case"),
    "households": _l("Households"), "residents": _l("Residents"), "visited_on": _l("Date"),
    "household": _l("Household"), "purpose": _l("Purpose"), "visitors": _l("Visitors"), "notes": _l("Notes"),
}


def yes_no(value) -> str:
    return str(_l("Yes") if value else _l("No"))


def short(text) -> str:
    text = text or ""
    return text if len(text) <= 40 else text[:38] + "…"


class DiaryView(MakesCases, ScopedView):
    datamodel = SQLAInterface(DiaryEntry)
    data_kind = "diary"
    list_title = show_title = _l("People's-conditions diary")
    add_title = _l("Write in the diary")
    edit_title = _l("Edit diary entry")
    list_template = "grid/list_word_search.html"
    word_search_column = "search_words"
    label_columns = LABELS
    base_order = ("entry_on", "desc")
    list_columns = ["entry_on", "category", "grid", "content", "author", "follow_up", "case"]
    show_columns = ["entry_on", "category", "grid", "author", "content", "households", "residents", "follow_up",
                    "case"]
    add_columns = edit_columns = ["entry_on", "category", "grid", "households", "residents", "content", "follow_up"]
    search_columns = ["entry_on", "category", "grid", "author", "follow_up"]
    formatters_columns = {"category": DIARY_CATEGORY.label, "content": short, "follow_up": yes_no}
    case_source, case_confirmation = "diary", _l("Make a case of this entry?")
    add_form_extra_fields = edit_form_extra_fields = {
        "entry_on": DateField(LABELS["entry_on"], [InputRequired()], default=local_today),
        "category": choice_field(LABELS["category"], DIARY_CATEGORY),
        "grid": picker(LABELS["grid"], "grid"),
        "households": MultiPickerField(LABELS["households"], kind="household", depends="grid"),
        "residents": MultiPickerField(LABELS["residents"], kind="resident", depends="grid"),
        "content": TextAreaField(LABELS["content"], [DataRequired()], render_kw={"rows": 6}),
        "follow_up": BooleanField(LABELS["follow_up"]),
    }
    search_form_extra_fields = {"category": choice_field(LABELS["category"], DIARY_CATEGORY),
                                "grid": picker(LABELS["grid"], "grid"),
                                "author": picker(_l("Written by"), "user")}

    def pre_add(self, item):
        item.author_id = actor.current().user_id


class VisitView(ScopedView):
    datamodel = SQLAInterface(Visit)
    data_kind = "visit"
    list_title = show_title = _l("Home visits")
    add_title = _l("Record a home visit")
    edit_title = _l("Edit home visit")
    label_columns = LABELS
    base_order = ("visited_on", "desc")
    list_columns = ["visited_on", "household", "purpose", "visitors", "follow_up", "grid"]
    show_columns = ["visited_on", "household", "grid", "purpose", "visitors", "notes", "follow_up"]
    add_columns = edit_columns = ["visited_on", "household", "purpose", "visitors", "notes", "follow_up"]
    search_columns = ["visited_on", "household", "purpose", "grid", "follow_up"]
    formatters_columns = {"purpose": VISIT_PURPOSE.label, "follow_up": yes_no}
    add_form_extra_fields = edit_form_extra_fields = {
        "visited_on": DateField(LABELS["visited_on"], [InputRequired()], default=local_today),
        "household": picker(LABELS["household"], "household"),
        "purpose": choice_field(LABELS["purpose"], VISIT_PURPOSE),
        "follow_up": BooleanField(LABELS["follow_up"]),
    }
    search_form_extra_fields = {"household": picker(LABELS["household"], "household"),
                                "grid": picker(LABELS["grid"], "grid"),
                                "purpose": choice_field(LABELS["purpose"], VISIT_PURPOSE)}


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The week (Monday to Sunday) or month around ``day``."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


class DemandsView(BaseView):
    """集体诉求: what the diary of a week or month is about — counts by category and grid, and the
    words that come up most."""

    route_base = "/diary"
    default_view = "demands"
    data_kind = "diary"

    @expose("/demands")
    @has_access
    def demands(self):
        kind = "week" if request.args.get("period") == "week" else "month"
        day = date_arg("date", local_today())
        start, end = period_of(kind, day)
        in_period = scope.restrict(select(DiaryEntry.id), DiaryEntry).where(
            DiaryEntry.entry_on.between(start, end))
        counts = db.session.execute(
            select(Grid.code, Grid.name, DiaryEntry.category, func.count(DiaryEntry.id))
            .join(Grid, Grid.id == DiaryEntry.grid_id).where(DiaryEntry.id.in_(in_period))
            .group_by(Grid.code, Grid.name, DiaryEntry.category).order_by(Grid.code)).all()
        table: dict[tuple[str, str], dict[str, int]] = {}
        for code, name, category, count in counts:
            table.setdefault((code, name), {})[category] = count
        # Segmentation needs the text itself: only this period's entries in the user's scope are read.
        texts = db.session.scalars(select(DiaryEntry.content).where(DiaryEntry.id.in_(in_period)))
        return self.render_template(
            "grid/diary_demands.html", kind=kind, day=day, start=start, end=end, table=table,
            categories=DIARY_CATEGORY, keywords=words.top_keywords(texts),
            total=sum(count for *_rest, count in counts))
