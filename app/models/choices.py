"""Coded values with their labels. Codes are stored; labels are translated for display."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class Choices:
    """An ordered set of (code, label) pairs."""

    def __init__(self, *pairs):
        self.pairs = tuple(pairs)
        self._labels = dict(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __contains__(self, code):
        return code in self._labels

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.pairs)

    def label(self, code) -> str:
        """The translated label of ``code``; an unknown code shows as itself."""
        if code is None:
            return ""
        return str(self._labels.get(code, code))

    def labels(self, codes: str | None) -> str:
        """The labels of comma-separated ``codes``, joined as Chinese lists are."""
        return "、".join(self.label(code) for code in (codes or "").split(",") if code)


GENDER = Choices(("male", _l("Male")), ("female", _l("Female")))

BUILDING_KIND = Choices(
    ("dormitory", _l("Old work-unit dormitory")),
    ("compound", _l("Gated commercial compound")),
    ("other", _l("Other building")),
)

RESIDENCE_TYPE = Choices(
    ("registered", _l("Registered resident")),
    ("migrant", _l("Migrant")),
    ("factory_family", _l("Factory family")),
)

RELATION_TO_HEAD = Choices(
    ("head", _l("Head of household")),
    ("spouse", _l("Spouse")),
    ("child", _l("Child")),
    ("parent", _l("Parent")),
    ("grandchild", _l("Grandchild")),
    ("other", _l("Other relation")),
)

POLITICAL_STATUS = Choices(
    ("party_member", _l("CPC member")),
    ("probationary", _l("Probationary CPC member")),
    ("league_member", _l("Youth League member")),
    ("other_party", _l("Democratic party member")),
    ("masses", _l("Masses")),
)
PARTY_STATUSES = ("party_member", "probationary")

PARTY_FLOW = Choices(
    ("settled", _l("Settled")),
    ("flowing_in", _l("Flowing in")),
    ("flowing_out", _l("Flowing out")),
)

INFRASTRUCTURE_KINDS = ("fire_hydrant", "septic_tank", "sewer_manhole", "power_room")
SERVICE_KINDS = ("clinic", "shop", "kindergarten", "barber", "laundry", "pharmacy")
FACILITY_KIND = Choices(
    ("fire_hydrant", _l("Fire hydrant")),
    ("septic_tank", _l("Septic tank")),
    ("sewer_manhole", _l("Sewer manhole")),
    ("power_room", _l("Power room")),
    ("clinic", _l("Community clinic")),
    ("shop", _l("Shop")),
    ("kindergarten", _l("Kindergarten")),
    ("barber", _l("Barber")),
    ("laundry", _l("Laundry")),
    ("pharmacy", _l("Pharmacy")),
)

FACILITY_STATUS = Choices(
    ("normal", _l("In service")),
    ("needs_repair", _l("Needs repair")),
    ("out_of_service", _l("Out of service")),
)

# Care tags are household flags; label per column name.
CARE_TAGS = Choices(
    ("low_income", _l("Low-income (dibao)")),
    ("disability", _l("Disability")),
    ("elderly_alone", _l("Elderly living alone")),
    ("extreme_hardship", _l("Extreme hardship")),
)

AUDIT_ACTION = Choices(
    ("create", _l("Created")),
    ("update", _l("Changed")),
    ("delete", _l("Deleted")),
    ("export", _l("Exported")),
    ("login", _l("Signed in")),
    ("login_failed", _l("Failed sign-in")),
    ("logout", _l("Signed out")),
)

# The report's workflow: 发现问题 → 收集问题 → 问题立案 → 问题处理 → 问题反馈 → 结案 (+ 不予立案).
CASE_STAGE = Choices(
    ("discovered", _l("Discovered")),
    ("collected", _l("Collected")),
    ("registered", _l("Registered")),
    ("in_progress", _l("In progress")),
    ("feedback", _l("Feedback given")),
    ("closed", _l("Closed")),
    ("rejected", _l("Not registered")),
)
CASE_FINAL_STAGES = ("closed", "rejected")

CASE_SOURCE = Choices(
    ("qq_group", _l("QQ group")),
    ("patrol", _l("Patrol")),
    ("diary", _l("People's-conditions diary")),
    ("visit", _l("Home visit")),
    ("hotline", _l("12345 hotline")),
    ("walk_in", _l("Walk-in")),
    ("meeting", _l("Grid service meeting")),
    ("supervision", _l("Supervision")),
)

CASE_PRIORITY = Choices(
    ("low", _l("Low")),
    ("normal", _l("Normal")),
    ("high", _l("High")),
    ("urgent", _l("Urgent")),
)

# Computed from the due date and the stage; never typed.
SLA_STATE = Choices(
    ("overdue", _l("Overdue")),
    ("due_soon", _l("Due soon")),
    ("on_time", _l("On time")),
    ("done", _l("Done")),
)

AID_ITEM_CATEGORY = Choices(
    ("clothing", _l("Clothing")),
    ("bedding", _l("Bedding")),
    ("fuel", _l("Fuel")),
    ("heating", _l("Heating appliance")),
    ("food", _l("Food")),
    ("daily", _l("Daily necessities")),
    ("other", _l("Other goods")),
)

DONOR_KIND = Choices(
    ("person", _l("Person")),
    ("household", _l("Household")),
    ("organisation", _l("Organisation")),
)

# A voucher (凭证) is one posting: goods lines and/or money, in or out.
VOUCHER_KIND = Choices(
    ("donation", _l("Donation")),
    ("purchase", _l("Purchase")),
    ("distribution", _l("Distribution")),
    ("adjustment", _l("Adjustment")),
)
VOUCHER_STATUS = Choices(
    ("proposed", _l("Proposed")),
    ("posted", _l("Posted")),
    ("cancelled", _l("Cancelled")),
)

DIARY_CATEGORY = Choices(
    ("request", _l("Resident request")),
    ("event", _l("Community event")),
    ("activity", _l("Activity")),
    ("visit", _l("Visit")),
    ("other", _l("Other")),
)

VISIT_PURPOSE = Choices(
    ("condolence", _l("Condolence")),
    ("assistance", _l("Assistance")),
    ("opinion", _l("Opinion")),
    ("supervision", _l("Supervision")),
)

VOLUNTEER_KIND = Choices(
    ("resident", _l("Resident")),
    ("student", _l("Student")),
    ("unit_staff", _l("Unit staff")),
    ("other", _l("Other")),
)

ACTIVITY_KIND = Choices(
    ("patrol", _l("Patrol")),
    ("public_labour", _l("Public labour")),
    ("festival", _l("Neighbourhood festival")),
    ("theme_day", _l("Theme day")),
    ("tutoring", _l("Tutoring")),
    ("elderly_care", _l("Keeping the elderly company")),
    ("other", _l("Other")),
)

CHANNEL = Choices(("qq", _l("QQ group")), ("wechat", _l("WeChat group")))

# 工作建议 (part 三 of the report): meetings, supervision, 共驻共建.
MEETING_STATUS = Choices(
    ("scheduled", _l("Scheduled")),
    ("held", _l("Held")),
    ("cancelled", _l("Cancelled")),
)

SUPERVISOR_KIND = Choices(
    ("street", _l("Street-office work supervisor")),
    ("retired_cadre", _l("Retired cadre")),
    ("veteran_member", _l("Veteran party member")),
    ("resident", _l("Resident volunteer")),
)

SUPERVISION_CHANNEL = Choices(
    ("qq", _l("QQ group")),
    ("wechat", _l("WeChat group")),
    ("on_site", _l("On site")),
)

UNIT_KIND = Choices(
    ("resident_unit", _l("Resident unit")),
    ("non_public", _l("Non-public enterprise")),
    ("social_org", _l("Social organisation")),
    ("school", _l("School")),
    ("university", _l("University")),
    ("property", _l("Property company")),
    ("other", _l("Other unit")),
)

PARTY_ORG_KIND = Choices(
    ("committee", _l("Party committee")),
    ("general_branch", _l("General party branch")),
    ("branch", _l("Party branch")),
    ("joint_branch", _l("Joint party branch")),
    ("none", _l("No party organisation")),
)

SUPPORT_KIND = Choices(
    ("people", _l("People")),
    ("money", _l("Money")),
    ("goods", _l("Goods")),
)
