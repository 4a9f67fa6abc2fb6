"""Case screens: the staff's case list and detail (with its timeline and the steps the user may
make), the volunteer's "report a problem" and "my reports", and the categories with their SLAs."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import action, expose
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from ..models import Case, CaseCategory
from ..models.choices import CASE_PRIORITY, CASE_SOURCE, CASE_STAGE, SLA_STATE
from ..services import lookup, mapdata, photos, workflow
from ..security import actor
from . import formatters as fmt
from .base import ScopedView
from .fields import GeometryField, PickerField, choice_field, picker

LABELS = {
    "number": _l("Case number"), "title": _l("Title"), "description": _l("Description"),
    "category": _l("Category"), "source": _l("Source"), "grid": _l("Grid"), "location": _l("Location"),
    "address": _l("Address"), "resident": _l("Reporting resident"), "reporter": _l("Reported by"),
    "assignee": _l("Assignee"), "priority": _l("Priority"), "stage": _l("Stage"), "reported_at": _l("Reported at"),
    "due_on": _l("Due"), "closed_at": _l("Closed at"), "resolution": _l("Resolution"),
    "satisfaction": _l("Satisfaction (1–5)"), "sla": _l("Deadline"), "photo": _l("Photos"),
    "name": _l("Name"), "community": _l("Community"), "days_to_register": _l("Days to register"),
    "days_to_close": _l("Days to close"), "active": _l("In use"),
}
SLA_CLASSES = {"overdue": "label-danger", "due_soon": "label-warning", "on_time": "label-success",
               "done": "label-default"}


def sla_mark(value) -> Markup:
    """Red when overdue, yellow when due soon."""
    if not value:
        return Markup("")
    return Markup('<span class="label {}">{}</span>').format(SLA_CLASSES[value], SLA_STATE.label(value))


def stage_label(value) -> Markup:
    return Markup('<span class="case-stage case-stage-{}">{}</span>').format(value, CASE_STAGE.label(value))


def _photos_check(form, field):
    """Every chosen file is a real JPEG/PNG/WebP photo within the size limit."""
    for upload in field.data or []:
        if not getattr(upload, "filename", ""):
            continue
        data = upload.read()
        upload.stream.seek(0)
        try:
            photos.check(data, upload.filename)
        except photos.PhotoError as error:
            raise ValidationError(str(error)) from None


def _photo_field():
    return MultipleFileField(LABELS["photo"], [_photos_check],
                             description=_l("JPEG, PNG or WebP; location data in the photo is removed"))


def _store_uploaded_photos(case) -> None:
    photos.store_uploads(case, request.files.getlist("photo"))


def _grid_or_place(form, field):
    """A grid chosen, or a location inside one of the user's grids (then that grid is taken)."""
    if field.data is None:
        location = form["location"].data
        found = mapdata.grid_at(location) if location is not None else None
        if found is None:
            raise ValidationError(_l("Choose the grid, or give a location inside one."))
        field.data = found
    category = form["category"].data
    if category is not None and category.community_id != field.data.community_id:
        raise ValidationError(_l("Is not in the community of the chosen category"))


def _grid_from_place():
    # Not Optional(): an empty grid must still reach the check, which takes it from the location.
    return PickerField(LABELS["grid"], [_grid_or_place], kind="grid")


def _grid_agrees(form, field):
    """The category belongs to the chosen grid's community."""
    grid = form["grid"].data
    if field.data is not None and grid is not None and field.data.community_id != grid.community_id:
        raise ValidationError(_l("Is not a category of the chosen grid's community"))


def _resident_in_grid(form, field):
    grid = form["grid"].data
    if field.data is not None and grid is not None and field.data.grid_id != grid.id:
        raise ValidationError(_l("Is not in the chosen %(parent)s", parent=LABELS["grid"]))


def _assignee_of_grid(form, field):
    """Someone who works the chosen grid: its manager, or a secretary of its community."""
    grid = form["grid"].data
    if field.data is not None and grid is not None and not lookup.offers("assignee", field.data.id, {"grid": grid.id}):
        raise ValidationError(_l("Does not work in the chosen grid"))


class CasePages:
    """The detail page with timeline, photos and steps, and the photo download; shared by the
    staff's and the reporter's screens (each fetching the case through its own scope)."""

    show_template = "grid/case_show.html"

    def _case_page(self, case, steps):
        return self._detail_page(case.id, case=case, steps=steps, stage_label=CASE_STAGE.label,
                                 local_time=fmt.local_time, photo_endpoint=f"{type(self).__name__}.photo")

    @expose("/photo/<pk>/<int:photo_id>")
    @has_access
    def photo(self, pk, photo_id):
        case = self._scoped_item(pk)
        found = next((p for p in case.photos if p.id == photo_id), None)
        if found is None:
            abort(404)
        return send_file(photos.path_of(found), mimetype=found.content_type, max_age=0)


class CaseView(CasePages, ScopedView):
    datamodel = SQLAInterface(Case)
    data_kind = "case"
    list_title = show_title = _l("Cases")
    add_title = _l("Add case")
    edit_title = _l("Edit case")
    label_columns = LABELS
    page_size = 25
    base_order = ("id", "desc")
    list_columns = ["number", "title", "category", "grid", "stage", "assignee", "due_on", "sla"]
    card_columns = ["number", "title", "stage", "sla"]
    show_columns = ["number", "title", "stage", "sla", "due_on", "category", "source", "priority", "grid",
                    "address", "location", "resident", "reporter", "assignee", "reported_at", "closed_at",
                    "description", "resolution", "satisfaction"]
    add_columns = ["title", "category", "source", "priority", "grid", "location", "address", "resident",
                   "description", "photo"]
    edit_columns = ["title", "category", "source", "priority", "grid", "location", "address", "resident",
                    "assignee", "description"]
    search_columns = ["number", "title", "stage", "sla", "category", "grid", "source", "priority", "assignee",
                      "due_on", "reported_at"]
    formatters_columns = {"stage": stage_label, "sla": sla_mark, "source": CASE_SOURCE.label,
                          "priority": CASE_PRIORITY.label, "reported_at": fmt.local_time,
                          "closed_at": fmt.local_time, "location": fmt.geometry_text}
    # Each step's permission is its own name (can_collect …); detail, steps and photos need "show".
    method_permission_name = {"step": "show", "photo": "show", "add_photos": "edit",
                              **{name: name for name in workflow.STEPS}}
    add_form_extra_fields = {
        "category": picker(LABELS["category"], "case_category", depends="grid", checks=[_grid_agrees]),
        "source": choice_field(LABELS["source"], CASE_SOURCE),
        "priority": choice_field(LABELS["priority"], CASE_PRIORITY),
        "grid": _grid_from_place(),
        "location": GeometryField(LABELS["location"], geom_type="POINT"),
        "resident": picker(LABELS["resident"], "resident", depends="grid", required=False,
                           checks=[_resident_in_grid]),
        "photo": _photo_field(),
    }
    edit_form_extra_fields = {
        **{key: value for key, value in add_form_extra_fields.items() if key != "photo"},
        "grid": picker(LABELS["grid"], "grid"),
        "assignee": picker(LABELS["assignee"], "assignee", depends="grid", required=False,
                           checks=[_assignee_of_grid]),
    }
    search_form_extra_fields = {
        "category": picker(LABELS["category"], "case_category"),
        "grid": picker(LABELS["grid"], "grid"),
        "stage": choice_field(LABELS["stage"], CASE_STAGE),
        "sla": choice_field(LABELS["sla"], SLA_STATE),
        "source": choice_field(LABELS["source"], CASE_SOURCE),
        "priority": choice_field(LABELS["priority"], CASE_PRIORITY),
        "assignee": picker(LABELS["assignee"], "assignee"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Steps made one case at a time (reject, feedback, reopen) are permissions too.
        self.base_permissions = sorted(set(self.base_permissions) | {f"can_{name}" for name in workflow.STEPS})

    # -- writes go through the workflow ------------------------------------------------------
    def pre_add(self, item):
        workflow.open_case(item)
        _store_uploaded_photos(item)

    def pre_update(self, item):
        workflow.refuse_edit(item)

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """A closed or rejected case is read-only: its edit page says so and shows the case."""
        case = self._scoped_item(pk)
        try:
            workflow.refuse_edit(case)
        except workflow.WorkflowError as error:
            flash(str(error), "danger")
            return redirect(url_for(".show", pk=pk))
        return super().edit(pk)

    def pre_delete(self, item):
        if not workflow.may_delete(item):
            raise workflow.WorkflowError(_l("Only a case still at “Discovered” can be deleted; "
                                            "reject it instead (不予立案)."))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        case = self._scoped_item(pk)
        return self._case_page(case, workflow.allowed_steps(case))

    @expose("/step/<pk>", methods=["POST"])
    @has_access
    def step(self, pk):
        case = self._scoped_item(pk)
        form = request.form
        try:
            satisfaction = int(form["satisfaction"]) if form.get("satisfaction") else None
        except ValueError:
            satisfaction = 0
        try:
            workflow.apply(case, form.get("step", ""), note=form.get("note"),
                           resolution=form.get("resolution"), satisfaction=satisfaction)
            flash(_l("Case %(number)s is now %(stage)s.", number=case.number,
                     stage=CASE_STAGE.label(case.stage)), "success")
        except workflow.WorkflowError as error:
            flash(str(error), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/photos/<pk>", methods=["POST"])
    @has_access
    def add_photos(self, pk):
        case = self._scoped_item(pk)
        try:
            workflow.add_photos(case, request.files.getlist("photo"))
        except (photos.PhotoError, workflow.WorkflowError) as error:
            flash(str(error), "danger")
        return redirect(url_for(".show", pk=pk))

    # -- bulk steps from the list: all selected cases or none ----------------------------------
    def _bulk(self, name, items):
        items = items if isinstance(items, list) else [items]
        try:
            workflow.apply_to_all(items, name)
            flash(_l("%(count)d cases: %(step)s.", count=len(items), step=workflow.STEPS[name].label), "success")
        except workflow.WorkflowError as error:
            flash(str(error), "danger")
        return redirect(url_for(".list"))

    @action("collect", _l("Collect"), _l("Collect the selected cases?"), "fa-inbox", single=False)
    def collect(self, items):
        return self._bulk("collect", items)

    @action("register", _l("Register"), _l("Register the selected cases?"), "fa-folder-open", single=False)
    def register(self, items):
        return self._bulk("register", items)

    @action("handle", _l("Start handling"), _l("Start handling the selected cases?"), "fa-wrench", single=False)
    def handle(self, items):
        return self._bulk("handle", items)

    @action("close", _l("Close"), _l("Close the selected cases?"), "fa-check", single=False)
    def close(self, items):
        return self._bulk("close", items)


def _current_user_id():
    return actor.current().user_id


class MyReportsView(CasePages, ScopedView):
    """Report a problem (title, category, description, photos, location) and follow one's reports."""

    datamodel = SQLAInterface(Case)
    data_kind = "own_report"
    scope_level = "community"
    base_filters = [["reporter_id", FilterEqualFunction, _current_user_id]]
    list_title = show_title = _l("My reports")
    add_title = _l("Report a problem")
    label_columns = LABELS
    base_order = ("id", "desc")
    list_columns = ["number", "title", "category", "stage", "reported_at"]
    show_columns = ["number", "title", "stage", "category", "grid", "address", "location", "reported_at",
                    "closed_at", "description", "resolution"]
    add_columns = ["title", "category", "description", "location", "grid", "address", "photo"]
    edit_columns = ["title"]  # no edit route; FAB builds the form anyway
    search_columns = ["number", "title", "stage"]
    include_route_methods = {"list", "show", "add", "photo", "export"}
    method_permission_name = {"photo": "show"}
    formatters_columns = {"stage": stage_label, "reported_at": fmt.local_time, "closed_at": fmt.local_time,
                          "location": fmt.geometry_text}
    add_form_extra_fields = {
        "title": StringField(LABELS["title"], [DataRequired()]),
        "category": picker(LABELS["category"], "case_category", depends="grid", checks=[_grid_agrees]),
        "description": TextAreaField(LABELS["description"], [Optional()]),
        "location": GeometryField(LABELS["location"], geom_type="POINT",
                                  description=_l("Where it is: a point (longitude latitude); the grid follows from it")),
        "grid": _grid_from_place(),
        "photo": _photo_field(),
    }
    search_form_extra_fields = {"stage": choice_field(LABELS["stage"], CASE_STAGE)}

    def pre_add(self, item):
        item.source = "patrol"
        workflow.open_case(item)
        _store_uploaded_photos(item)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        return self._case_page(self._scoped_item(pk), steps=[])


class CaseCategoryView(ScopedView):
    datamodel = SQLAInterface(CaseCategory)
    data_kind = "case_category"
    scope_level = "community"
    list_title = show_title = _l("Case categories")
    add_title = _l("Add case category")
    edit_title = _l("Edit case category")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = ["name", "community", "days_to_register", "days_to_close", "active"]
    show_columns = add_columns = edit_columns = ["community", "name", "days_to_register", "days_to_close", "active"]
    search_columns = ["name", "community", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "days_to_register": IntegerField(LABELS["days_to_register"], [InputRequired(), NumberRange(0, 365)]),
        "days_to_close": IntegerField(LABELS["days_to_close"], [InputRequired(), NumberRange(0, 365)]),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"community": picker(LABELS["community"], "community")}
    formatters_columns = {"active": lambda value: str(_l("Yes") if value else _l("No"))}


class MakesCases:
    """A screen of records that can become cases (``app.models.intake.BecomesCase``): its "Make a
    case" action under the role table's ``to_case``. A screen names its ``case_source`` (the case's
    source) and ``case_confirmation`` (the question before making one)."""

    case_source = ""
    case_confirmation = _l("Make a case of this entry?")
    method_permission_name = {"to_case": "to_case"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def to_case(self, item):
            return make_case_from(item, self.case_source)
        cls.to_case = action("to_case", _l("Make a case"), cls.case_confirmation, "fa-exclamation-circle",
                             multiple=False)(to_case)


def make_case_from(item, source: str):
    """The "make a case" action of a diary entry or group feedback: once, then to the case."""
    from ..services import intake

    item = item[0] if isinstance(item, list) else item
    try:
        case, created = intake.case_from(item, source)
    except workflow.WorkflowError as error:
        flash(str(error), "danger")
        return redirect(url_for(".show", pk=item.id))
    flash(_l("Case %(number)s was made from this entry.", number=case.number) if created else
          _l("This entry is already case %(number)s.", number=case.number), "success" if created else "info")
    return redirect(url_for("CaseView.show", pk=case.id))
