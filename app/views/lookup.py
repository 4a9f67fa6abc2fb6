"""``/lookup/<kind>``: the JSON behind the searchable pickers (select2's result format)."""
from flask import abort, jsonify, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access_api

from ..boundary import whole_number_arg
from ..security.access import may
from ..services import lookup


class LookupView(BaseView):
    route_base = "/lookup"
    default_view = "lookup"
    for_every_role = True  # each kind then asks for the "list" permission of its data

    @expose("/<kind>")
    @has_access_api
    def lookup(self, kind):
        if kind not in lookup.LOOKUPS:
            abort(404)
        if not may(lookup.LOOKUPS[kind].data_kind, "list"):
            abort(403)
        if request.args.get("id"):
            row = lookup.fetch(kind, request.args["id"])
            rows, more = ([row] if row is not None else []), False
        else:
            parents = {name: whole_number_arg(name, None, low=1) for name in lookup.LOOKUPS[kind].parents}
            page = whole_number_arg("page", 1, low=1)
            rows, more = lookup.search(kind, request.args.get("q", ""), parents, page)
        return jsonify(results=[{"id": row.id, "text": str(row)} for row in rows],
                       pagination={"more": more})
