"""The dashboard's figures kept in the database: the same figures as counting, never another
user's, never stale after a write, counted anew when the cache is off."""
import json
import re
import threading

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app.extensions import db
from conftest import statements
from app.models import Case, CaseCategory, DataVersion, FigureCacheEntry, Resident
from app.security import actor
from app.services import freshness


def view(client, period="all"):
    """(cards {key: value}, charts {key: chart}, the dashboard's HTML) of one view."""
    html = client.get(f"/dashboard/?period={period}").data.decode()
    html = re.search(r'<div class="grid-dashboard">.*?data-charts="[^"]*"></div>', html, re.S).group(0)
    cards = {key: float(value.replace(",", "")) for key, value in re.findall(
        r'data-key="(\w+)">\s*<div class="grid-card-value">([\d,.]+)</div>', html)}
    charts = json.loads(re.search(r'data-charts="([^"]*)"', html).group(1).replace("&#34;", '"')
                        .replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&"))
    return cards, {chart["key"]: chart for chart in charts}, html


def counted(seen, table):
    return [s for s in seen if re.search(rf"\bFROM {table}\b", s) and "figure_cache" not in s]


def entries():
    return dict(db.session.execute(select(FigureCacheEntry.key, FigureCacheEntry.stored_at)).all())


def test_stored_figures_equal_counted_ones_and_are_read_instead_of_counting(app, secretary_client):
    with statements() as first:
        counted_view = view(secretary_client)
    assert counted(first, "resident") and entries()
    with statements() as second:
        stored_view = view(secretary_client)
    assert not counted(second, "resident") and not counted(second, "case_record")  # all from the cache
    assert stored_view[2] == counted_view[2]
    app.config["GRID_DASHBOARD_CACHE_SECONDS"] = 0
    assert view(secretary_client)[2] == counted_view[2]
    for period in ("year", "month"):  # the period's parts have entries of their own
        app.config["GRID_DASHBOARD_CACHE_SECONDS"] = 0
        fresh = view(secretary_client, period)[2]
        app.config["GRID_DASHBOARD_CACHE_SECONDS"] = 300
        assert view(secretary_client, period)[2] == fresh
        assert view(secretary_client, period)[2] == fresh


def test_a_case_written_through_the_app_shows_on_the_next_view(manager_client):
    before, charts, _ = view(manager_client)
    category = db.session.scalars(select(CaseCategory).order_by(CaseCategory.id)).first()
    response = manager_client.post("/caseview/add", data={
        "title": "楼道堆物", "category": str(category.id), "source": "walk_in", "priority": "normal", "grid": "1",
        "location": "", "address": "", "description": ""})
    assert response.status_code == 302
    with statements() as seen:
        after, charts_after, _ = view(manager_client)
    assert after["cases_open"] == before["cases_open"] + 1
    assert sum(row["value"] for row in charts_after["cases_funnel"]["data"]) == \
        sum(row["value"] for row in charts["cases_funnel"]["data"]) + 1
    # Only what reads the cases was counted again; the residents came from the cache.
    assert counted(seen, "case_record") and not counted(seen, "resident")


def test_the_version_moves_on_commit_only_and_not_for_sign_ins(app, client_as):
    def version(table):
        return db.session.scalar(select(DataVersion.version).where(DataVersion.name == table)) or 0

    cases = version("case_record")
    open_case = db.session.scalar(select(Case.id).where(Case.closed_at.is_(None), Case.stage != "rejected")
                                  .order_by(Case.id))  # a closed case is read-only
    client_as("secretary")  # a sign-in writes ab_user and the audit log: no figure reads them
    assert version("ab_user") == version("audit_entry") == 0
    db.session.execute(update(Case).where(Case.id == open_case).values(title="改过的标题"))
    db.session.rollback()
    assert version("case_record") == cases
    db.session.execute(update(Case).where(Case.id == open_case).values(title="改过的标题"))
    db.session.commit()
    assert version("case_record") == cases + 1
    case = db.session.get(Case, open_case)
    case.title = "又改了"
    db.session.commit()
    assert version("case_record") == cases + 2


def test_users_with_different_scopes_never_share_an_entry(secretary_client, manager_client):
    whole, _charts, _ = view(secretary_client)
    theirs = entries()
    mine, charts, _ = view(manager_client)
    now = entries()
    assert set(now) - set(theirs), "the grid manager's parts are stored under keys of their own"
    assert all(now[key] == at for key, at in theirs.items()), "and the secretary's are left alone"
    grid_one = db.session.scalar(select(func.count(Resident.id)).where(Resident.grid_id == 1))
    assert mine["residents"] == grid_one < whole["residents"]
    assert charts["residents_by_grid_age"]["x"] == ["SYN-01"]
    again, _charts, _ = view(secretary_client)
    assert again["residents"] == whole["residents"]


def test_a_masked_role_never_gets_care_links(secretary_client, supervisor_client):
    """The supervisor has the secretary's scope but not the sensitive data: care links stay theirs."""
    _cards, charts, _ = view(secretary_client)
    assert all(charts["households_by_care"]["links"])
    _cards, masked, html = view(supervisor_client)
    assert masked["households_by_care"]["links"] == [None] * 4
    assert masked["households_by_care"]["series"] == charts["households_by_care"]["series"]
    assert "low_income" not in html


def test_with_no_time_to_keep_every_view_counts(app, secretary_client):
    """A write around the session (here raw SQL on a connection of its own) is not seen by the
    data versions: a kept figure shows it only once the writer says what it changed, or after
    GRID_DASHBOARD_CACHE_SECONDS; with 0 every view counts it at once."""
    first, _charts, _ = view(secretary_client)
    resident = db.session.scalar(select(Resident.id).where(Resident.political_status == "masses").limit(1))
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE resident SET political_status = 'party_member' WHERE id = :id"),
                           {"id": resident})
    assert view(secretary_client)[0]["party_members"] == first["party_members"]  # kept, not yet told
    app.config["GRID_DASHBOARD_CACHE_SECONDS"] = 0
    stored = len(entries())
    assert view(secretary_client)[0]["party_members"] == first["party_members"] + 1
    assert len(entries()) == stored  # nothing stored either
    app.config["GRID_DASHBOARD_CACHE_SECONDS"] = 300
    freshness.changed(db.session, "resident")
    db.session.commit()
    assert view(secretary_client)[0]["party_members"] == first["party_members"] + 1


def test_an_entry_older_than_the_time_to_keep_is_counted_again(app, secretary_client):
    view(secretary_client)
    with db.engine.begin() as connection:
        connection.execute(update(FigureCacheEntry).values(
            stored_at=FigureCacheEntry.stored_at - app.config["GRID_DASHBOARD_CACHE_SECONDS"] - 1))
    with statements() as seen:
        view(secretary_client)
    assert counted(seen, "resident")


@pytest.mark.postgis
def test_two_writers_of_one_table_both_bump_its_version(app):
    """Two transactions that wrote cases commit at the same moment: the second one's bump waits
    for the first one's commit (a row lock held for the commit only) and neither bump is lost."""
    before = db.session.scalar(select(DataVersion.version).where(DataVersion.name == "case_record")) or 0
    db.session.commit()
    both_flushed = threading.Barrier(2, timeout=30)
    failures = []

    def write(case_id):
        with app.app_context(), actor.system("tests"):  # a thread's context has no actor of its own
            session = Session(db.engine)
            try:
                session.get(Case, case_id).title = f"并发修改 {case_id}"
                session.flush()
                both_flushed.wait()
                session.commit()
            except Exception as error:  # reported below: a thread's exception is otherwise lost
                failures.append(error)
            finally:
                session.close()

    open_cases = db.session.scalars(select(Case.id).where(Case.closed_at.is_(None), Case.stage != "rejected")
                                    .order_by(Case.id).limit(2)).all()  # a closed case is read-only
    threads = [threading.Thread(target=write, args=(case_id,)) for case_id in open_cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    db.session.expire_all()
    assert db.session.scalar(select(DataVersion.version).where(DataVersion.name == "case_record")) == before + 2


def test_a_view_reads_the_data_versions_once(secretary_client):
    """The permission check and the figure cache share the request's one read of them."""
    view(secretary_client)
    with statements() as seen:
        view(secretary_client)
    assert len([s for s in seen if re.search(r"\bFROM data_version\b", s)]) == 1, seen
