"""``/lookup/<kind>``: the JSON behind the searchable pickers (select2's result format), and
``/lookup/grid?at=<place>``: the user's grid at a place typed or set on a form's map."""
from flask import abort, jsonify, request
from geoalchemy2.shape import from_shape
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access_api

from ..boundary import whole_number_arg
from ..security.access import may
from ..services import lookup, mapdata
from ..validation import FieldError, parse_geometry


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
        if kind == "grid" and "at" in request.args:
            return self._grid_at(request.args["at"])
        if request.args.get("id"):
            row = lookup.fetch(kind, request.args["id"])
            rows, more = ([row] if row is not None else []), False
        else:
            parents = {name: whole_number_arg(name, None, low=1) for name in lookup.LOOKUPS[kind].parents}
            page = whole_number_arg("page", 1, low=1)
            rows, more = lookup.search(kind, request.args.get("q", ""), parents, page)
        return jsonify(results=[{"id": row.id, "text": str(row)} for row in rows],
                       pagination={"more": more})

    @staticmethod
    def _grid_at(text):
        """The place as the form's field reads it (its point) and the user's grid there, if any."""
        try:
            point = parse_geometry(text, "POINT")
        except FieldError as error:
            return jsonify(message=error.reason), 400
        grid = mapdata.grid_at(from_shape(point, srid=4326))
        return jsonify(point=[point.x, point.y],
                       results=[{"id": grid.id, "text": str(grid)}] if grid is not None else [])
