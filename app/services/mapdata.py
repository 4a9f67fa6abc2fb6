"""The map's data: GeoJSON layers (grid-scoped, bbox-filtered, coordinates to 6 decimals ≈ 0.1 m),
search, and a building's 十分钟生活服务圈 (service facilities within 800 m, distances from the
database using its spatial index)."""
from __future__ import annotations

import datetime as dt
import json
import math

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from sqlalchemy import func, select, text

from ..extensions import db
from ..models import Building, Case, Facility, Grid, Household, Resident
from ..models.choices import (CASE_FINAL_STAGES, CASE_STAGE, FACILITY_KIND, PARTY_STATUSES,
                              SERVICE_KINDS)
from ..security import privacy, scope
from ..security.access import may
from .commands import command

PRECISION = 6
WALK_METRES = 800  # a ten-minute walk
# What the map redraws: kind → (model, geometry column, geometry type).
EDITABLE = {"grid": (Grid, "boundary", "POLYGON"), "facility": (Facility, "location", "POINT")}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def geojson(column):
    return func.ST_AsGeoJSON(column, PRECISION)


def in_bbox(model, column: str, bbox):
    """Rows whose geometry meets the box, found through the spatial index."""
    west, south, east, north = bbox
    if _dialect() == "postgresql":
        return getattr(model, column).op("&&")(func.ST_MakeEnvelope(west, south, east, north, 4326))
    frame = text("SELECT ROWID FROM SpatialIndex WHERE f_table_name = :table AND f_geometry_column = :column "
                 "AND search_frame = BuildMbr(:west, :south, :east, :north, 4326)").bindparams(
        table=model.__tablename__, column=column, west=west, south=south, east=east, north=north)
    return model.id.in_(frame)


def distance_metres(a, b):
    if _dialect() == "postgresql":
        return func.ST_Distance(func.geography(a), func.geography(b))
    return func.ST_Distance(a, b, 1)  # SpatiaLite: on the ellipsoid, in metres


def grid_at(point):
    """The grid (of the user's) whose boundary contains ``point`` (computed in the database), or None."""
    query = scope.restrict(select(Grid).where(Grid.boundary.ST_Contains(point)), Grid, "grid")
    return db.session.scalars(query.limit(1)).first()


def _feature(geometry: str | None, properties: dict) -> dict:
    """A GeoJSON feature; without a geometry (a building not drawn yet) its geometry is None."""
    return {"type": "Feature", "geometry": json.loads(geometry) if geometry else None, "properties": properties}


def _collection(features) -> dict:
    """Every layer's features, those without a geometry left off (one such row must not break the map)."""
    return {"type": "FeatureCollection", "features": [f for f in features if f["geometry"] is not None]}


def parse_bbox(raw: str | None):
    if not raw:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def _grids(bbox):
    query = scope.restrict(select(Grid.id, Grid.code, Grid.name, Grid.colour, geojson(Grid.boundary)),
                           Grid, "community").where(Grid.boundary.is_not(None))
    if bbox:
        query = query.where(in_bbox(Grid, "boundary", bbox))
    return [_feature(geometry, {"id": id_, "code": code, "name": name, "colour": colour})
            for id_, code, name, colour, geometry in db.session.execute(query)]


def _buildings(bbox):
    people = may("map", "people")
    query = scope.restrict(select(Building.id, Building.number, Building.compound, Building.grid_id,
                                  Building.household_count, Building.resident_count,
                                  Resident.name, geojson(Building.footprint))
                           .outerjoin(Resident, Resident.id == Building.head_id), Building, "community")
    if bbox:
        query = query.where(in_bbox(Building, "footprint", bbox))
    seen = scope.current()
    features = []
    for id_, number, compound, grid_id, households, residents, head, geometry in db.session.execute(query):
        mine = seen.everything or grid_id in seen.grid_ids
        features.append(_feature(geometry, {
            "id": id_, "number": number, "compound": compound or "", "households": households,
            "residents": residents, "head": head if people and mine else None,
            "link": f"/buildingview/show/{id_}" if mine and may("building", "show") else None}))
    return features


def _facilities(kind, bbox):
    query = scope.restrict(select(Facility.id, Facility.name, Facility.status, geojson(Facility.location))
                           .where(Facility.kind == kind), Facility, "community")
    if bbox:
        query = query.where(in_bbox(Facility, "location", bbox))
    return [_feature(geometry, {"id": id_, "name": name, "kind": kind, "status": status})
            for id_, name, status, geometry in db.session.execute(query)]


def _people_at_buildings(condition, bbox, label_of):
    """People shown at their building's entrance, one point per building (亮身份)."""
    rows = db.session.execute(scope.restrict(
        select(Building.id, geojson(Building.entrance), Resident.name).join(Resident, Resident.building_id == Building.id)
        .where(condition), Resident, "grid").order_by(Building.id, Resident.name))
    features: dict[int, dict] = {}
    for building_id, geometry, name in rows:
        feature = features.setdefault(building_id, _feature(geometry, {"building": building_id, "names": []}))
        feature["properties"]["names"].append(label_of(name))
    return list(features.values())


def _care(bbox):
    rows = db.session.execute(scope.restrict(
        select(Household.id, Household.unit, Household.room, geojson(Building.entrance))
        .join(Building, Building.id == Household.building_id)
        .where(Household.low_income | Household.disability | Household.elderly_alone | Household.extreme_hardship),
        Household, "grid"))
    return [_feature(geometry, {"id": id_, "address": f"{unit}-{room}"}) for id_, unit, room, geometry in rows]


def _cases(bbox, heat=False):
    query = scope.restrict(select(Case.id, Case.number, Case.title, Case.stage, geojson(Case.location)),
                           Case, "grid").where(Case.location.is_not(None))
    if not heat:
        query = query.where(Case.stage.not_in(CASE_FINAL_STAGES))
    return [_feature(geometry, {"id": id_, "number": number, "title": title, "stage": stage,
                                "stage_label": CASE_STAGE.label(stage)})
            for id_, number, title, stage, geometry in db.session.execute(query)]


def _patrol_tracks(bbox):
    """Each patrol's track (its positions in time order) as a line; one position is a point."""
    from ..models import Patrol, PatrolPoint
    from ..timekeeping import zone

    patrols = {row.id: row for row in db.session.execute(scope.restrict(
        select(Patrol.id, Patrol.username, Patrol.started_at), Patrol, "grid").order_by(Patrol.id.desc()).limit(500))}
    if not patrols:
        return []
    rows = db.session.execute(select(PatrolPoint.patrol_id, func.ST_X(PatrolPoint.location),
                                     func.ST_Y(PatrolPoint.location))
                              .where(PatrolPoint.patrol_id.in_(list(patrols))).order_by(PatrolPoint.patrol_id, PatrolPoint.at))
    tracks: dict[int, list] = {}
    for patrol_id, x, y in rows:
        tracks.setdefault(patrol_id, []).append([round(x, PRECISION), round(y, PRECISION)])
    features = []
    for patrol_id, coordinates in tracks.items():
        patrol = patrols[patrol_id]
        geometry = {"type": "LineString", "coordinates": coordinates} if len(coordinates) > 1 else \
            {"type": "Point", "coordinates": coordinates[0]}
        day = patrol.started_at.replace(tzinfo=dt.UTC).astimezone(zone()).strftime("%Y-%m-%d %H:%M")
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "id": patrol_id, "track": True, "label": f"{patrol.username} {day}", "points": len(coordinates)}})
    return features


# name → (label, who may see it (None: everyone with the map), features)
LAYERS = {
    "grids": (_l("Grids"), None, _grids),
    "buildings": (_l("Buildings"), None, _buildings),
    **{f"facility-{kind}": (label, None, lambda bbox, kind=kind: _facilities(kind, bbox))
       for kind, label in FACILITY_KIND},
    "party_members": (_l("Party members' homes"), ("map", "people"),
                      lambda bbox: _people_at_buildings(Resident.political_status.in_(PARTY_STATUSES), bbox, str)),
    "building_heads": (_l("Building heads"), ("map", "people"),
                       lambda bbox: _people_at_buildings(Resident.id == Building.head_id, bbox, str)),
    "care_households": (_l("Care households"), "sensitive", _care),
    "cases": (_l("Open cases"), ("case", "list"), _cases),
    "case_heat": (_l("Case heat map"), ("case", "list"), lambda bbox: _cases(bbox, heat=True)),
    "patrols": (_l("Patrol tracks"), ("patrol", "list"), _patrol_tracks),
}


def allowed(name: str) -> bool:
    rule = LAYERS[name][1]
    if rule is None:
        return True
    if rule == "sensitive":
        return may("map", "people") and privacy.may_see_sensitive()
    return may(*rule)


def layer(name: str, bbox=None) -> dict:
    return _collection(LAYERS[name][2](bbox))


def search(term: str, limit: int = 10) -> list[dict]:
    """Buildings by number, facilities by name, residents by name (for roles that may)."""
    from .lookup import starts_with

    found = []
    rows = db.session.execute(scope.restrict(select(Building.number, Building.compound, func.ST_X(Building.entrance),
                                                    func.ST_Y(Building.entrance))
                                             .where(starts_with(Building.number, term)), Building, "community").limit(limit))
    found += [{"kind": "building", "text": f"{compound or ''} {number}".strip(), "lng": x, "lat": y}
              for number, compound, x, y in rows]
    rows = db.session.execute(scope.restrict(select(Facility.name, func.ST_X(Facility.location),
                                                    func.ST_Y(Facility.location))
                                             .where(starts_with(Facility.name, term)), Facility, "community").limit(limit))
    found += [{"kind": "facility", "text": name, "lng": x, "lat": y} for name, x, y in rows]
    if may("map", "people"):
        rows = db.session.execute(scope.restrict(
            select(Resident.name, Building.number, func.ST_X(Building.entrance), func.ST_Y(Building.entrance))
            .join(Building, Building.id == Resident.building_id).where(starts_with(Resident.name, term)),
            Resident, "grid").limit(limit))
        found += [{"kind": "resident", "text": f"{name}（{number}）", "lng": x, "lat": y} for name, number, x, y in rows]
    return [row for row in found if row["lng"] is not None]


def service_circle(building_id: int) -> dict | None:
    """Service facilities within a ten-minute walk of the building, nearest first."""
    building = db.session.scalars(scope.restrict(select(Building).where(Building.id == building_id),
                                                 Building, "community")).first()
    if building is None or building.entrance is None:
        return None
    lng, lat = db.session.execute(select(func.ST_X(building.entrance), func.ST_Y(building.entrance))).one()
    # A box a little larger than the circle lets the spatial index pick the candidates.
    degrees_lat = WALK_METRES / 111_320
    degrees_lng = WALK_METRES / (111_320 * max(0.1, math.cos(math.radians(lat))))
    box = (lng - degrees_lng, lat - degrees_lat, lng + degrees_lng, lat + degrees_lat)
    metres = distance_metres(Facility.location, func.ST_GeomFromText(f"POINT({lng} {lat})", 4326))
    rows = db.session.execute(scope.restrict(
        select(Facility.id, Facility.name, Facility.kind, metres.label("metres"))
        .where(Facility.kind.in_(SERVICE_KINDS), in_bbox(Facility, "location", box)), Facility, "community")
        .order_by("metres")).all()
    return {"building": str(building), "lng": lng, "lat": lat, "radius": WALK_METRES,
            "facilities": [{"id": id_, "name": name, "kind": FACILITY_KIND.label(kind), "metres": round(m)}
                           for id_, name, kind, m in rows if m is not None and m <= WALK_METRES]}


@command
def redraw(row, column: str, shape) -> None:
    """A grid boundary drawn or a facility moved on the map: committed (the flush checks the scope
    and the place, the audit log records it), or OutOfScope / FieldError and nothing written."""
    setattr(row, column, from_shape(shape, srid=4326))
