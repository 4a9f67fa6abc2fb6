"""一幅图: ``/map/`` — the community map (the platform's one custom page) and its data endpoints."""
from __future__ import annotations

import json

from flask import abort, current_app, jsonify, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models.choices import FACILITY_KIND
from ..security import scope
from ..security.access import may
from ..services import mapdata
from ..validation import MAX_ID, FieldError, parse_geometry


class MapView(BaseView):
    route_base = "/map"
    default_view = "index"
    data_kind = "map"
    # Reading the map is one permission; people layers and editing are two more.
    method_permission_name = {"index": "view", "layer": "view", "search": "view", "circle": "view", "save": "edit"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.base_permissions = sorted(set(self.base_permissions) | {"can_people"})

    @expose("/")
    @has_access
    def index(self):
        layers = [{"name": name, "label": str(label)} for name, (label, _rule, _f) in mapdata.LAYERS.items()
                  if mapdata.allowed(name)]
        config = {"layers": layers, "tile_url": current_app.config.get("TILE_URL") or "",
                  "tile_attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
                  "may_edit": may("map", "edit"),
                  "facility_kinds": {code: str(label) for code, label in FACILITY_KIND}}
        return self.render_template("grid/map.html", title=_l("Community map"),
                                    config=json.dumps(config, ensure_ascii=False))

    @expose("/layer/<name>")
    @has_access
    def layer(self, name):
        if name not in mapdata.LAYERS:
            abort(404)
        if not mapdata.allowed(name):
            abort(403)
        return jsonify(mapdata.layer(name, mapdata.parse_bbox(request.args.get("bbox"))))

    @expose("/search")
    @has_access
    def search(self):
        term = request.args.get("q", "").strip()
        return jsonify(results=mapdata.search(term) if term else [])

    @expose("/circle/<int:building_id>")
    @has_access
    def circle(self, building_id):
        found = mapdata.service_circle(building_id)
        if found is None:
            abort(404)
        return jsonify(found)

    @expose("/save", methods=["POST"])
    @has_access
    def save(self):
        """A grid boundary drawn or a facility moved on the map: validated, scoped, audited."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400)
        model, column, geom_type = mapdata.EDITABLE.get(body.get("kind"), (None,) * 3)
        if model is None:
            abort(400)
        row_id = body.get("id")
        if type(row_id) is not int or not 1 <= row_id <= MAX_ID:  # no row has it
            abort(404)
        row = db.session.scalars(scope.restrict(db.select(model).where(model.id == row_id), model, "grid")).first()
        if row is None:
            abort(404)
        try:
            shape = parse_geometry(json.dumps(body.get("geometry")), geom_type)
        except FieldError as error:
            return jsonify(error=str(error.reason)), 400
        try:
            mapdata.redraw(row, column, shape)
        except scope.OutOfScope as error:
            return jsonify(error=str(error)), 403
        except FieldError as error:  # the flush's rules: e.g. a place far outside the community
            return jsonify(error=str(error.reason)), 400
        return jsonify(saved=True)
