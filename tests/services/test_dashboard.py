"""The dashboard: figures and charts counted in SQL inside the scope, each clicking through to its rows."""
import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Case, DiaryEntry, Grid, Household, Resident
from app.services import dashboard
from app.services.stats import community_figures
from samples import listed_count


def cards(client, period="all"):
    html = client.get(f"/dashboard/?period={period}").data.decode()
    found = {}
    for key, value in re.findall(r'data-key="(\w+)">\s*<div class="grid-card-value">([\d,.]+)</div>', html):
        found[key] = float(value.replace(",", ""))
    return found, html


def test_signed_in_users_land_on_the_dashboard(secretary_client, client):
    assert secretary_client.get("/").headers["Location"].endswith("/dashboard/")
    assert client.get("/").status_code == 200  # anonymous: FAB's welcome with the sign-in link


def test_the_secretary_sees_the_reports_figures(secretary_client):
    found, _html = cards(secretary_client)
    figures = community_figures()
    for key in ("residents", "households", "buildings", "party_members", "care_households", "cases_closed",
                "cases_open", "cases_overdue", "diary_entries", "visits", "volunteer_activities", "volunteer_hours",
                "donations_yuan", "items_received", "items_distributed", "households_helped"):
        assert found[key] == figures[key], key


def test_a_grid_manager_sees_their_grid_only(manager_client):
    found, html = cards(manager_client)
    assert found["residents"] == db.session.scalar(select(func.count(Resident.id)).where(Resident.grid_id == 1))
    assert found["diary_entries"] == db.session.scalar(select(func.count(DiaryEntry.id)).where(DiaryEntry.grid_id == 1))
    assert "donations_yuan" in found  # aid figures: what reached their grid's households (none were donated there)
    assert found["donations_yuan"] == 0


def test_a_volunteer_sees_no_figure_about_people(volunteer_client):
    found, _html = cards(volunteer_client)
    assert found and not {"residents", "households", "party_members", "care_households", "cases_open"} & set(found)


@pytest.mark.parametrize("key, route", [("residents", "residentview"), ("households", "householdview"),
                                        ("cases_overdue", "caseview"), ("diary_entries", "diaryview"),
                                        ("visits", "visitview"), ("party_members", "residentview"),
                                        ("cases_open", "caseview"), ("service_facilities", "facilityview")])
def test_every_linked_figure_opens_its_rows(manager_client, key, route):
    found, html = cards(manager_client)
    link = re.search(rf'<a href=([^ >]+) class="grid-card" data-key="{key}"', html).group(1).strip('"')
    link = link.replace("&amp;", "&")
    assert link.startswith(f"/{route}/list/")
    assert listed_count(manager_client.get(link).data.decode()) == found[key]


def test_each_chart_equals_a_count_done_another_way(app):
    ages = dashboard.residents_by_grid_and_age()
    assert sum(sum(s["data"]) for s in ages["series"]) == db.session.scalar(select(func.count(Resident.id)))
    funnel = {row["name"]: row["value"] for row in dashboard.chart("cases_funnel")["data"]}
    assert sum(funnel.values()) == db.session.scalar(select(func.count(Case.id)))
    types = sum(row["value"] for row in dashboard.chart("households_by_type")["data"])
    assert types == db.session.scalar(select(func.count(Household.id)))
    care = dashboard.chart("households_by_care")["series"][0]["data"]
    assert care[0] == db.session.scalar(select(func.count(Household.id)).where(Household.low_income.is_(True)))
    diary = dashboard.chart("diary_per_month")
    assert sum(sum(s["data"]) for s in diary["series"]) == db.session.scalar(select(func.count(DiaryEntry.id)))
    closed = dashboard.chart("sla")["data"]
    assert sum(row["value"] for row in closed) == db.session.scalar(
        select(func.count(Case.id)).where(Case.stage == "closed"))


def age_band(born, today):
    if born is None:
        return "?"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return "0-17" if age < 18 else "18-34" if age < 35 else "35-59" if age < 60 else "60-79" if age < 80 else "80+"


def test_each_resident_is_in_the_age_band_of_their_age_today(app):
    today = dashboard.local_today()
    boundaries = [dashboard._years_before(today, years) for years in (18, 35, 60, 80)]
    births = [*boundaries, *(day + dt.timedelta(days=1) for day in boundaries), None]
    ids = db.session.scalars(select(Resident.id).order_by(Resident.id).limit(len(births))).all()
    for resident_id, born in zip(ids, births):  # birthdays on each boundary and the day after it
        db.session.execute(update(Resident).where(Resident.id == resident_id).values(birth_date=born))
    expected = Counter((age_band(born, today), code) for born, code in db.session.execute(
        select(Resident.birth_date, Grid.code).join(Grid, Grid.id == Resident.grid_id)))
    chart = dashboard.residents_by_grid_and_age()
    shown = Counter({(series["code"], grid): value for series in chart["series"]
                     for grid, value in zip(chart["x"], series["data"]) if value})
    assert shown == expected
    db.session.rollback()


def test_the_period_narrows_what_happened_in_it(secretary_client):
    everything, _ = cards(secretary_client, "all")
    this_month, _ = cards(secretary_client, "month")
    assert this_month["diary_entries"] <= everything["diary_entries"]
    assert this_month["residents"] == everything["residents"]  # a register is not a period


def test_the_benchmark_command_prints_both_timings_and_the_ratio(tmp_path):
    """The benchmark is a command that prints figures; here it only has to run (on a small dataset)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import BACKEND

    env = {**os.environ, "GRID_INSTANCE_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    if BACKEND != "sqlite":
        pytest.skip("the benchmark builds its own database; the SQLite run covers the command")
    result = subprocess.run([sys.executable, "-m", "benchmarks.dashboard", "--residents", "12000", "--repeat", "1"],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(re.findall(r"^(.+?)\s{2,}([\d,.]+)$", result.stdout, re.M))
    assert int(lines["residents"].replace(",", "")) >= 12000
    assert float(lines["ratio (FAB / ours)"]) > 0


def test_a_month_of_a_chart_opens_that_months_rows(secretary_client):
    chart = dashboard.chart("diary_per_month")
    month, link = chart["x"][-2], chart["links"][-2]
    expected = sum(series["data"][-2] for series in chart["series"])
    assert listed_count(secretary_client.get(link).data.decode()) == expected
    first = db.session.scalar(select(func.count(DiaryEntry.id)).where(
        func.substr(func.cast(DiaryEntry.entry_on, db.String), 1, 7) == month))
    assert first == expected


def test_every_facility_kind_of_the_report_has_its_figure(secretary_client):
    found, _html = cards(secretary_client)
    figures = community_figures()
    assert (found["facility_fire_hydrant"], found["facility_septic_tank"], found["facility_sewer_manhole"]) == (
        figures["fire_hydrants"], figures["septic_tanks"], figures["sewer_manholes"])
