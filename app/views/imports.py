"""Importing the household/resident ledger: template, upload, and the report of every bad row."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..services import importer


class ImportView(BaseView):
    route_base = "/import"
    default_view = "residents"
    data_kind = "resident_import"
    method_permission_name = {"residents": "import", "template": "import", "ledger": "import"}

    @expose("/template.<kind>")
    @has_access
    def template(self, kind):
        if kind not in ("xlsx", "csv"):
            kind = "xlsx"
        mimetype = ("text/csv" if kind == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(importer.template(kind), mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename=residents-template.{kind}"})

    @expose("/ledger.csv")
    @has_access
    def ledger(self):
        """The user's residents in the template's columns (what the import reads), streamed."""
        from flask import stream_with_context

        from ..services import audit, export

        audit.exported("resident_ledger", "ledger.csv")
        header = [title for _key, title in importer.COLUMNS]
        rows = export.stream_query(header, importer.ledger_statement(), [None] * len(header))
        return Response(stream_with_context(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=residents-ledger.csv"})

    @expose("/residents", methods=["GET", "POST"])
    @has_access
    def residents(self):
        report, error = None, None
        upload = request.files.get("file")
        if request.method == "POST":
            if upload is None or not upload.filename:
                error = _l("Choose the ledger file (.xlsx or .csv).")
            else:
                try:
                    report = importer.import_residents(upload.read(), upload.filename,
                                                       valid_only=bool(request.form.get("valid_only")))
                except ValueError as problem:
                    error = str(problem)
        page = self.render_template("grid/import.html", title=_l("Import residents"), report=report, error=error)
        return (page, 422) if error else page  # a file refused as a whole (unreadable, no columns)
