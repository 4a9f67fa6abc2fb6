"""Demo patrols (巡查): each grid manager walked their grid yesterday, a position every 30 s, so that
the secretary's patrol list, the counts per day and the map's track layer have something to show."""
from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app.extensions import db
from app.models import Grid, Patrol, PatrolPoint
from app.timekeeping import utc_now

POINTS = 12
NAMESPACE = uuid.UUID("7b0d0f6e-3f0c-4a4f-9d57-5a0c7e1f2a10")  # the demo's ids are the same each time


def seed_demo_patrols() -> bool:
    """One patrol per managed grid with a boundary; False if there are patrols already."""
    if db.session.scalar(select(func.count(Patrol.id))):
        return False
    sm = current_app.appbuilder.sm
    start = utc_now().replace(microsecond=0) - dt.timedelta(days=1)
    added = False
    for grid in db.session.scalars(select(Grid).where(Grid.manager_id.is_not(None), Grid.boundary.is_not(None))
                                   .order_by(Grid.id)):
        manager = sm.get_user_by_id(grid.manager_id)
        area = to_shape(grid.boundary)
        centre, west, east = area.representative_point(), area.bounds[0], area.bounds[2]
        step = (east - west) / (POINTS * 3)
        patrol = Patrol(client_id=str(uuid.uuid5(NAMESPACE, f"patrol-{grid.id}")), user_id=manager.id,
                        username=manager.username, community_id=grid.community_id, grid=grid,
                        started_at=start, ended_at=start + dt.timedelta(seconds=30 * POINTS))
        for n in range(POINTS):
            spot = Point(centre.x + (n - POINTS / 2) * step, centre.y)
            if not area.contains(spot):
                spot = centre
            patrol.points.append(PatrolPoint(client_id=str(uuid.uuid5(NAMESPACE, f"point-{grid.id}-{n}")),
                                             at=start + dt.timedelta(seconds=30 * n),
                                             location=from_shape(spot, srid=4326), accuracy=10.0))
        db.session.add(patrol)
        added = True
    db.session.commit()
    return added
