"""The tallies of residents, households, diary entries and cases (migration 0009; the stock tallies:
test_stock_tally.py): kept by the database on every insert, update and delete, whoever writes, gone
with a rollback, gone with what they name; equal at every step to counting the rows themselves;
the dashboard's next view shows a change."""
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from app.extensions import db
from app.models import (Case, CaseCategory, CaseTally, DiaryEntry, DiaryTally, Grid, Household, HouseholdTally,
                        Resident, ResidentTally, StockMove, StockTally)
from app.models.choices import PARTY_STATUSES
from test_figure_cache import view

TAGS = ("low_income", "disability", "elderly_alone", "extreme_hardship")
STOCK_KEYS = ("community_id", "grid_id", "item_id", "kind", "month", "inward")


def nonzero(counted: Counter) -> Counter:
    return Counter({key: value for key, value in counted.items() if value})  # negatives kept (stock out)


def residents() -> Counter:
    counted = Counter()
    for grid, born, status in db.session.execute(
            select(Resident.grid_id, Resident.birth_date, Resident.political_status)):
        key = (grid, born.year if born else None)
        counted[key + ("residents",)] += 1
        counted[key + ("party_members",)] += status in PARTY_STATUSES
    return nonzero(counted)  # zeros dropped


def households() -> Counter:
    counted = Counter()
    for grid, kind, *tags in db.session.execute(
            select(Household.grid_id, Household.residence_type, *[getattr(Household, tag) for tag in TAGS])):
        counted[grid, kind, "households"] += 1
        counted[grid, kind, "care"] += any(tags)
        for tag, value in zip(TAGS, tags):
            counted[grid, kind, tag] += bool(value)
    return nonzero(counted)


def diary() -> Counter:
    return Counter((grid, category, day.replace(day=1), "entries") for grid, category, day in db.session.execute(
        select(DiaryEntry.grid_id, DiaryEntry.category, DiaryEntry.entry_on)))


def moves() -> Counter:
    summed = Counter()
    for community, grid, item, kind, moved_on, quantity in db.session.execute(select(
            StockMove.community_id, StockMove.grid_id, StockMove.item_id, StockMove.kind, StockMove.moved_on,
            StockMove.quantity)):
        summed[community, grid, item, kind, moved_on.replace(day=1), quantity > 0, "quantity"] += quantity
    return nonzero(summed)


def cases() -> Counter:
    counted = Counter()
    for grid, stage, category, reported, closed, due in db.session.execute(select(
            Case.grid_id, Case.stage, Case.category_id, Case.reported_at, Case.closed_at, Case.due_on)):
        key = (grid, stage, category, reported.date().replace(day=1))
        counted[key + ("cases",)] += 1
        if closed is not None:
            counted[key + ("seconds",)] += round((closed - reported).total_seconds())
            counted[key + ("closed",)] += 1
            counted[key + ("on_time",)] += due is not None and closed.date() <= due
    return nonzero(counted)


def kept(model, keys, measures) -> Counter:
    db.session.expire_all()
    counted = Counter()
    for row in db.session.execute(select(*[getattr(model, name) for name in (*keys, *measures)])):
        for name, value in zip(measures, row[len(keys):]):
            # Two rows of one key would leave one of them out: the sums would differ.
            counted[(*row[:len(keys)], name)] = value
    return nonzero(counted)


def all_equal():
    assert kept(ResidentTally, ("grid_id", "birth_year"), ("residents", "party_members")) == residents()
    assert kept(HouseholdTally, ("grid_id", "residence_type"), ("households", "care", *TAGS)) == households()
    assert kept(DiaryTally, ("grid_id", "category", "month"), ("entries",)) == diary()
    assert kept(CaseTally, ("grid_id", "stage", "category_id", "month"), ("cases", "seconds", "closed", "on_time")) \
        == cases()
    assert kept(StockTally, STOCK_KEYS, ("quantity",)) == moves()


def test_the_seeded_registry_and_diary_are_tallied(app):
    assert residents() and households() and diary() and cases() and moves()
    assert any(name == "on_time" for *_key, name in cases()) and any(name == "seconds" for *_key, name in cases())
    all_equal()


def test_every_write_moves_the_tallies_and_a_rollback_takes_it_back(app):
    first, second = db.session.scalars(select(Resident).order_by(Resident.id).limit(2)).all()
    first.political_status = "party_member" if first.political_status == "masses" else "masses"  # the ORM
    second.grid_id = 2 if second.grid_id == 1 else 1
    db.session.commit()
    all_equal()
    # Statements through the session: many rows at once, a key that does not change, a delete.
    db.session.execute(update(Resident).where(Resident.id <= 40).values(birth_date=None))
    db.session.execute(update(Resident).where(Resident.id <= 40).values(name="同名"))
    db.session.execute(update(Household).where(Household.id <= 30).values(low_income=True, residence_type="migrant"))
    entry = db.session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)).first()
    db.session.execute(update(DiaryEntry).where(DiaryEntry.id == entry.id).values(entry_on=dt.date(2020, 2, 29)))
    db.session.execute(delete(DiaryEntry).where(DiaryEntry.id != entry.id, DiaryEntry.category == "visit"))
    case = db.session.scalars(select(Case).where(Case.closed_at.is_(None)).order_by(Case.id)).first()
    db.session.execute(update(Case).where(Case.id == case.id).values(
        stage="closed", closed_at=case.reported_at + dt.timedelta(days=3, seconds=7), due_on=None))
    db.session.execute(update(Case).where(Case.id != case.id, Case.closed_at.is_not(None))
                       .values(due_on=func.date(Case.closed_at)))  # all closed on their deadline's day
    db.session.commit()
    all_equal()
    # One column a tally reads at a time (SQLite's UPDATE triggers list them).
    db.session.execute(update(DiaryEntry).where(DiaryEntry.id <= 25).values(category="other"))
    db.session.execute(update(Case).where(Case.id <= 5).values(category_id=db.session.scalar(
        select(CaseCategory.id).order_by(CaseCategory.id.desc()).limit(1))))
    db.session.execute(update(Case).where(Case.id.between(6, 9)).values(reported_at=dt.datetime(2025, 12, 31, 23)))
    db.session.execute(update(Household).where(Household.id <= 12).values(elderly_alone=True))
    db.session.execute(update(Household).where(Household.id.between(13, 20)).values(extreme_hardship=True))
    db.session.commit()
    all_equal()
    # Around the app: raw SQL on a connection of its own.
    with db.engine.begin() as connection:
        connection.execute(insert(DiaryEntry), [
            {"grid_id": 1, "category": "event", "entry_on": dt.date(2026, 1, day), "content": "楼道灯坏了",
             "author_id": entry.author_id} for day in (3, 4, 5)])
        connection.execute(text("UPDATE household SET disability = NOT disability WHERE id % 7 = 0"))
    all_equal()
    # Written, then rolled back.
    before = kept(DiaryTally, ("grid_id", "category", "month"), ("entries",))
    db.session.execute(delete(DiaryEntry))
    assert not kept(DiaryTally, ("grid_id", "category", "month"), ("entries",))  # inside the transaction
    db.session.rollback()
    assert kept(DiaryTally, ("grid_id", "category", "month"), ("entries",)) == before
    all_equal()


def test_a_truncate_empties_its_tally(app, databases):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; runs in the PostGIS pass of ./dev test")
    db.session.execute(text("TRUNCATE diary_entry CASCADE"))
    assert not kept(DiaryTally, ("grid_id", "category", "month"), ("entries",))
    all_equal()
    db.session.rollback()


def test_a_change_shows_on_the_next_dashboard(app, secretary_client):
    before, charts, _html = view(secretary_client)
    resident = db.session.scalars(select(Resident).where(Resident.political_status == "masses")
                                  .order_by(Resident.id)).first()
    home = db.session.scalars(select(Household).where(Household.elderly_alone.is_(False))
                              .order_by(Household.id)).first()
    db.session.execute(update(Resident).where(Resident.id == resident.id).values(political_status="party_member"))
    db.session.execute(update(Household).where(Household.id == home.id).values(elderly_alone=True))
    db.session.execute(delete(DiaryEntry).where(DiaryEntry.id == db.session.scalars(select(DiaryEntry.id)).first()))
    db.session.commit()
    after, charts_after, _html = view(secretary_client)
    assert after["party_members"] == before["party_members"] + 1
    assert after["diary_entries"] == before["diary_entries"] - 1
    elderly = TAGS.index("elderly_alone")
    assert charts_after["households_by_care"]["series"][0]["data"][elderly] == \
        charts["households_by_care"]["series"][0]["data"][elderly] + 1


def test_what_a_tally_names_can_still_be_deleted_once_its_rows_are_gone(app):
    """A tally left at zero names its case category (grid, item …): it goes with it."""
    case = db.session.scalars(select(Case).order_by(Case.id)).first()
    kept_category = case.category_id
    spare = CaseCategory(community_id=1, name="临时类别")
    db.session.add(spare)
    db.session.flush()
    db.session.execute(update(Case).where(Case.id == case.id).values(category_id=spare.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CaseTally).where(CaseTally.category_id == spare.id))
    db.session.execute(update(Case).where(Case.id == case.id).values(category_id=kept_category))
    db.session.delete(db.session.get(CaseCategory, spare.id))
    db.session.commit()
    assert not db.session.scalar(select(func.count()).select_from(CaseTally).where(CaseTally.category_id == spare.id))
    all_equal()


def test_the_dashboards_case_figures_equal_the_cases(app, secretary_client):
    _cards, charts, _html = view(secretary_client)
    closed = db.session.execute(select(Case.grid_id, Case.reported_at, Case.closed_at, Case.due_on)
                                .where(Case.stage == "closed")).all()
    on_time = sum(1 for *_rest, at, due in closed if due is not None and at.date() <= due)
    sla = {row["name"]: row["value"] for row in charts["sla"]["data"]}
    assert list(sla.values()) == [on_time, len(closed) - on_time]
    seconds, counted = Counter(), Counter()
    for grid, reported, at, _due in closed:
        seconds[grid] += round((at - reported).total_seconds())
        counted[grid] += 1
    days = charts["days_to_close"]
    by_code = dict(zip(days["x"], days["series"][0]["data"]))
    codes = dict(db.session.execute(select(Grid.id, Grid.code)).all())
    assert by_code == {codes[grid]: round(seconds[grid] / counted[grid] / 86400, 1) for grid in counted}
