"""The community's key figures, counted in the database (never stored)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (Activity, Attendance, Building, Case, CobuildingUnit, ContactHousehold, DiaryEntry, Facility,
                      FundEntry, Grid, GroupSize, Household, Meeting, Resident, StockMove, Visit, Voucher, Volunteer)
from ..models.choices import CASE_FINAL_STAGES, PARTY_STATUSES, SERVICE_KINDS
from .outreach import REACH_PERCENT

LATER = aliased(GroupSize)  # the latest size recorded for each group
CARE = or_(Household.low_income, Household.disability, Household.elderly_alone,
           Household.extreme_hardship)

# key -> (label, query); later issues add their keys here.
FIGURES = {
    "grids": (_l("Grids"), select(func.count(Grid.id))),
    "buildings": (_l("Buildings"), select(func.count(Building.id))),
    "households": (_l("Households"), select(func.count(Household.id))),
    "residents": (_l("Residents"), select(func.count(Resident.id))),
    "party_members": (_l("Party members"),
                      select(func.count(Resident.id)).where(Resident.political_status.in_(PARTY_STATUSES))),
    "building_heads": (_l("Building heads"), select(func.count(distinct(Building.head_id)))),
    "care_households": (_l("Care households"), select(func.count(Household.id)).where(CARE)),
    "fire_hydrants": (_l("Fire hydrants"),
                      select(func.count(Facility.id)).where(Facility.kind == "fire_hydrant")),
    "septic_tanks": (_l("Septic tanks"),
                     select(func.count(Facility.id)).where(Facility.kind == "septic_tank")),
    "sewer_manholes": (_l("Sewer manholes"),
                       select(func.count(Facility.id)).where(Facility.kind == "sewer_manhole")),
    "power_rooms": (_l("Power rooms"),
                    select(func.count(Facility.id)).where(Facility.kind == "power_room")),
    "service_facilities": (_l("Service facilities"),
                           select(func.count(Facility.id)).where(Facility.kind.in_(SERVICE_KINDS))),
    "cases_closed": (_l("Cases closed"), select(func.count(Case.id)).where(Case.stage == "closed")),
    "cases_open": (_l("Cases open"), select(func.count(Case.id)).where(Case.stage.not_in(CASE_FINAL_STAGES))),
    "cases_overdue": (_l("Cases overdue"), select(func.count(Case.id)).where(Case.sla == "overdue")),
    "donations_yuan": (_l("Donations (yuan)"), select(func.coalesce(func.sum(FundEntry.amount_fen), 0) // 100)
                       .where(FundEntry.kind == "donation_in")),
    "items_received": (_l("Items received"), select(func.coalesce(func.sum(StockMove.quantity), 0))
                       .where(StockMove.kind == "donation")),
    "items_distributed": (_l("Items given out"), select(func.coalesce(-func.sum(StockMove.quantity), 0))
                          .where(StockMove.kind == "distribution")),
    "households_helped": (_l("Households helped"), select(func.count(distinct(Voucher.household_id)))
                          .where(Voucher.kind == "distribution", Voucher.status == "posted")),
    "diary_entries": (_l("Diary entries"), select(func.count(DiaryEntry.id))),
    "visits": (_l("Home visits"), select(func.count(Visit.id))),
    "volunteers": (_l("Volunteers"), select(func.count(Volunteer.id)).where(Volunteer.active.is_(True))),
    "volunteer_activities": (_l("Volunteer activities"), select(func.count(Activity.id))),
    "volunteer_hours": (_l("Volunteer hours"), select(func.coalesce(func.sum(Attendance.hours), 0))),
    "group_members": (_l("Group members"), select(func.coalesce(func.sum(GroupSize.members), 0)).where(
        GroupSize.recorded_on == select(func.max(LATER.recorded_on)).where(
            LATER.community_id == GroupSize.community_id, LATER.channel == GroupSize.channel).scalar_subquery())),
    # Part 三 of the report: meetings held or scheduled, 社情民意联系点, 共驻共建 units, 知晓率.
    "meetings": (_l("Grid service meetings"), select(func.count(Meeting.id)).where(Meeting.status != "cancelled")),
    "contact_households": (_l("Contact households"), select(func.count(ContactHousehold.id))),
    "cobuilding_units": (_l("Co-building units"),
                         select(func.count(CobuildingUnit.id)).where(CobuildingUnit.active.is_(True))),
    "reach_percent": (_l("Households reached (%)"), REACH_PERCENT),
}


def community_figures() -> dict[str, int]:
    return {key: db.session.scalar(query) for key, (_label, query) in FIGURES.items()}


def labels() -> dict[str, str]:
    return {key: str(label) for key, (label, _query) in FIGURES.items()}
