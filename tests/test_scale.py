"""The district generator (issue 12): the demo's proportions per community, valid and placed
data, scoped like the demo, deterministic and idempotent."""
from sqlalchemy import func, select, text

from app.extensions import db
from app.validation import clean_id_number
from app.models import Building, Case, Community, DiaryEntry, Grid, Household, Resident, StockMove
from seeds.scale import NAME, seed_scale


def count(model, *where):
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_each_community_is_shaped_like_the_demo_and_valid(app):
    before = count(Resident)
    report = seed_scale(2, accounts=True)
    assert report.communities == 2 and report.rows > 2 * 30_000
    for position in (1, 2):
        community = db.session.scalars(select(Community).where(Community.name == NAME.format(position))).one()
        grids = select(Grid.id).where(Grid.community_id == community.id)
        assert count(Grid, Grid.community_id == community.id) == 6
        assert count(Building, Building.grid_id.in_(grids)) == 61
        assert count(Household, Household.grid_id.in_(grids)) == 3128
        assert count(Resident, Resident.grid_id.in_(grids)) == 8859
        assert count(Case, Case.grid_id.in_(grids)) == 1000
        assert count(DiaryEntry, DiaryEntry.grid_id.in_(grids)) == 5000
        assert count(StockMove, StockMove.community_id == community.id) > 8000
    assert count(Resident) == before + 2 * 8859
    numbers = db.session.scalars(select(Resident.id_number).where(Resident.id > before)).all()
    assert all(clean_id_number(number) == number for number in numbers) and len(set(numbers)) == len(numbers)
    # Every building inside its grid; no grid of one community overlapping another's.
    outside = db.session.scalar(text(
        "SELECT count(*) FROM building b JOIN grid g ON g.id = b.grid_id WHERE NOT ST_Within(b.footprint, g.boundary)"))
    overlapping = db.session.scalar(text(
        "SELECT count(*) FROM grid a JOIN grid b ON a.community_id < b.community_id "
        "WHERE ST_Intersects(a.boundary, b.boundary)"))
    assert outside == 0 and overlapping == 0
    # The aid ledger never below zero.
    negative = db.session.execute(select(StockMove.item_id).group_by(StockMove.item_id)
                                  .having(func.sum(StockMove.quantity) < 0)).all()
    assert negative == []


def test_running_it_again_adds_only_the_missing_communities(app):
    seed_scale(1)
    residents = count(Resident)
    assert seed_scale(1).communities == 0 and count(Resident) == residents
    assert seed_scale(2).communities == 1 and count(Resident) == residents + 8859


def test_its_accounts_see_their_own_grid_only(app, client_as):
    from conftest import login

    seed_scale(1, accounts=True)
    community = db.session.scalars(select(Community).where(Community.name == NAME.format(1))).one()
    grid = db.session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.code)).first()
    theirs = db.session.scalars(select(Resident.id).where(Resident.grid_id == grid.id)).first()
    demo_manager = client_as("grid1")
    assert demo_manager.get(f"/residentview/show/{theirs}").status_code == 404
    manager = login(app.test_client(), "c001-grid1")
    assert manager.get(f"/residentview/show/{theirs}").status_code == 200
    demo_resident = db.session.scalars(select(Resident.id).where(Resident.grid_id == 1)).first()
    assert manager.get(f"/residentview/show/{demo_resident}").status_code == 404


def test_the_command_prints_its_rate(app):
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--communities", "1"])
    assert result.exit_code == 0, result.output
    assert "Added 1 communities" in result.output and "rows/s" in result.output
