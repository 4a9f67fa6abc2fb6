"""The district generator (issue 12): the demo's proportions per community, valid and placed
data, scoped like the demo, deterministic and idempotent; and no page whose HTML grows with the
rows it relates to. One test: each community seeded costs seconds, so the checks share two."""
import re

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Building, Case, Community, DiaryEntry, Grid, Household, Resident, StockMove
from app.validation import clean_id_number
from conftest import login
from seeds.scale import NAME, seed_scale


def count(model, *where):
    return db.session.scalar(select(func.count(model.id)).where(*where))


def shape_of(position):
    community = db.session.scalars(select(Community).where(Community.name == NAME.format(position))).one()
    grids = select(Grid.id).where(Grid.community_id == community.id)
    return (count(Grid, Grid.community_id == community.id), count(Building, Building.grid_id.in_(grids)),
            count(Household, Household.grid_id.in_(grids)), count(Resident, Resident.grid_id.in_(grids)),
            count(Case, Case.grid_id.in_(grids)), count(DiaryEntry, DiaryEntry.grid_id.in_(grids)),
            count(StockMove, StockMove.community_id == community.id) > 8000)


def page_sizes(app, client) -> dict[str, int]:
    """The HTML length of every page of the app (each rule of its URL map answering a GET with
    HTML, its arguments the demo's first rows: lists, details, forms, dashboards, the map)."""
    sizes = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith(("static", ".download")) or \
                rule.rule.startswith("/api/"):
            continue  # files, the API (JSON), and FAB's file download (its user screens; no files here)
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", "1", path)
        # Five rows a list page: lists of a few rows (grids, categories) fill their page either way.
        response = client.get(path, query_string={f"psize_{rule.endpoint.split('.')[0]}": 5})
        if response.status_code == 200 and response.mimetype == "text/html":
            sizes[path] = len(response.data)
    return sizes


def test_a_district_shaped_like_the_demo_valid_placed_scoped_and_idempotent(app, client_as):
    admin = client_as("admin")  # everything in scope: the seeded community's rows too
    pages_before = page_sizes(app, admin)
    before = count(Resident)
    report = seed_scale(1, accounts=True)
    assert report.communities == 1 and report.rows > 30_000
    assert shape_of(1) == (6, 61, 3128, 8859, 1000, 5000, True)
    # Again: nothing added. The command adds only what is missing, and says how fast.
    assert seed_scale(1).communities == 0 and count(Resident) == before + 8859
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--communities", "2"])
    assert result.exit_code == 0 and "Added 1 communities" in result.output and "rows/s" in result.output
    assert shape_of(2) == shape_of(1) and count(Resident) == before + 2 * 8859

    numbers = db.session.scalars(select(Resident.id_number).where(Resident.id > before)).all()
    assert all(clean_id_number(number) == number for number in numbers) and len(set(numbers)) == len(numbers)
    # Every building inside its grid; no grid of one community overlapping another's (the demo's too).
    outside = db.session.scalar(text(
        "SELECT count(*) FROM building b JOIN grid g ON g.id = b.grid_id WHERE NOT ST_Within(b.footprint, g.boundary)"))
    overlapping = db.session.scalar(text(
        "SELECT count(*) FROM grid a JOIN grid b ON a.community_id < b.community_id "
        "WHERE ST_Intersects(a.boundary, b.boundary)"))
    assert outside == 0 and overlapping == 0
    negative = db.session.execute(select(StockMove.item_id).group_by(StockMove.item_id)
                                  .having(func.sum(StockMove.quantity) < 0)).all()
    assert negative == []  # the aid ledger never below zero

    # Its accounts see their own grid only; the demo's see none of it.
    community = db.session.scalars(select(Community).where(Community.name == NAME.format(1))).one()
    grid = db.session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.code)).first()
    theirs = db.session.scalars(select(Resident.id).where(Resident.grid_id == grid.id)).first()
    assert client_as("grid1").get(f"/residentview/show/{theirs}").status_code == 404
    manager = login(app.test_client(), "c001-grid1")
    assert manager.get(f"/residentview/show/{theirs}").status_code == 200
    demo_resident = db.session.scalars(select(Resident.id).where(Resident.grid_id == 1)).first()
    assert manager.get(f"/residentview/show/{demo_resident}").status_code == 404

    # No page's HTML grows with the rows it relates to (46k more of them now: an option per
    # household or a line per resident would add megabytes); counts and page links may lengthen.
    pages_after = page_sizes(app, admin)
    assert len(pages_before) > 100 and pages_before.keys() == pages_after.keys()
    grown = {path: (pages_before[path], size) for path, size in pages_after.items()
             if size > pages_before[path] * 1.3 + 3000}
    assert not grown, grown
