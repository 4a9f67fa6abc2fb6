"""一个本 and 一支队 over the API: diary entries (whole-word search, make a case), home visits, and
volunteer activities (a volunteer logs their own attendance)."""
from __future__ import annotations


from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from ..models import Activity, DiaryEntry, Visit
from ..services import intake, volunteering
from ..listing import WordFilter
from ..views.diary import DiaryView, VisitView
from ..views.volunteers import ActivityView
from ..security import actor
from .base import ScopedApi
from .docs import operation


CREATED = {"type": "object", "properties": {
    "id": {"type": "integer"}, "created": {"type": "boolean"}, "message": {"type": "string"}}}


def _doc(summary: str, answer: str) -> str:
    return operation(summary, answer=answer, status=201, result=CREATED, errors=(401, 403, 404, 422))


class Words(WordFilter):
    """Whole Chinese words of the entry (``{"col": "search_words", "opr": "words", "value": "下水管道"}``)."""

    name = _l("Contains the words")
    arg_name = "words"


class DiaryApi(ScopedApi):
    resource_name = "diary"
    screen = DiaryView
    datamodel = SQLAInterface(DiaryEntry)
    search_columns = [*DiaryView.search_columns, "search_words"]
    search_filters = {"search_words": [Words]}
    method_permission_name = {"to_case": "to_case"}

    @expose("/<int:pk>/to_case", methods=["POST"])
    @protect()
    @safe
    @permission_name("to_case")
    def to_case(self, pk):
        entry = self._item(pk)
        if entry is None:
            return self.response_404()
        made = {}

        def make():
            made["case"], made["created"] = intake.case_from(entry, "diary")
        return self._write(make, lambda: self.response(201 if made["created"] else 200, id=made["case"].id,
                                                     created=made["created"]))

    to_case.__doc__ = _doc("Make a case of the diary entry (once; then its case)",
                                  "The case's id (200 with created false: already made)")


class VisitApi(ScopedApi):
    resource_name = "visit"
    screen = VisitView
    datamodel = SQLAInterface(Visit)


class ActivityApi(ScopedApi):
    resource_name = "activity"
    screen = ActivityView
    datamodel = SQLAInterface(Activity)
    method_permission_name = {"attend": "attend"}

    @expose("/<int:pk>/attend", methods=["POST"])
    @protect()
    @safe
    @permission_name("attend")
    def attend(self, pk):
        activity = self._item(pk)
        if activity is None:
            return self.response_404()
        done = {}

        def record():
            done["attendance"], done["created"] = volunteering.attend(activity, actor.current().user_id)
        return self._write(record, lambda: self.response(201 if done["created"] else 200,
                                                       id=done["attendance"].id, created=done["created"]))

    attend.__doc__ = _doc("I took part: log my own attendance (the activity's hours)",
                                 "The attendance's id (200 with created false: already recorded)")

