"""The role table (README, "Roles and demo accounts"), as data. ``sync_roles`` makes the database match it.

Every screen over domain data declares a ``data_kind`` (a row of ``TABLE``); a role's FAB
permissions on that screen are the verbs its cell lists. FAB's own screens (users, roles,
permissions) are Admin's alone; every signed-in user may see and change their own profile.
"""
from __future__ import annotations

from .role_names import ADMIN, MANAGER, ROLES, SECRETARY, SUPERVISOR, VOLUNTEER  # noqa: F401
from .steps import case_access

# Admin is IT: FAB's user and role management, and no grid scope.
UNSCOPED_ROLES = {ADMIN}

READ = "list show"
ALL = "list show add edit delete"

# data kind → role → verbs. A verb is a FAB permission ``can_<verb>`` on the kind's screens;
# a screen's actions ask for the verb their ``method_permission_name`` names.
TABLE: dict[str, dict[str, str]] = {
    "community": {SECRETARY: "list show edit", MANAGER: READ, SUPERVISOR: READ, VOLUNTEER: READ},
    "grid": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ, VOLUNTEER: READ},
    "building": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "household": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "resident": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "facility": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ, VOLUNTEER: READ},
    "assignment": {SECRETARY: ALL},
    "audit": {SECRETARY: READ},
    "case_category": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ, VOLUNTEER: READ},
    # Cases: the screens' verbs plus each workflow step, from the workflow's own table.
    "case": case_access(),
    # "Report a problem" and "my reports": a user's own reports only.
    "own_report": {SECRETARY: "list show add", MANAGER: "list show add", VOLUNTEER: "list show add"},
    # The mutual-aid station: the secretary posts; a grid manager proposes distributions and sees
    # the aid given in their grids; supervisors read; volunteers nothing.
    "aid_voucher": {SECRETARY: "list show post cancel distribute donate purchase adjust",
                    MANAGER: "list show distribute", SUPERVISOR: READ},
    "aid_move": {SECRETARY: READ, MANAGER: READ, SUPERVISOR: READ},
    "aid_item": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "campaign": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "donor": {SECRETARY: ALL, SUPERVISOR: READ},
    # 一个本: the diary and visits are the cadres'; volunteers do not see them.
    "diary": {SECRETARY: f"{ALL} to_case demands", MANAGER: f"{ALL} to_case demands", SUPERVISOR: f"{READ} demands"},
    "visit": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    # 一支队: volunteers see the activities and log their own attendance.
    "team": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ, VOLUNTEER: READ},
    "volunteer": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "activity": {SECRETARY: f"{ALL} attend", MANAGER: "list show add edit", SUPERVISOR: READ,
                 VOLUNTEER: "list show attend"},
    "attendance": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ, VOLUNTEER: READ},
    # The landing page: each card and chart is shown only to roles that may list its rows.
    "dashboard": {SECRETARY: "view", MANAGER: "view", SUPERVISOR: "view", VOLUNTEER: "view"},
    # Loading an existing ledger (into the user's own grids).
    "resident_import": {SECRETARY: "import", MANAGER: "import"},
    # The street office's monthly pack (each user's own scope).
    "monthly_pack": {SECRETARY: "monthly", MANAGER: "monthly", SUPERVISOR: "monthly"},
    # 一幅图: everyone reads the map; people layers for the cadres and supervisors; the secretary edits.
    "map": {SECRETARY: "view people edit", MANAGER: "view people", SUPERVISOR: "view people", VOLUNTEER: "view"},
    # 一个群
    "notice": {SECRETARY: ALL, MANAGER: "list show add", SUPERVISOR: READ},
    "group_size": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "group_feedback": {SECRETARY: f"{ALL} to_case", MANAGER: f"{ALL} to_case", SUPERVISOR: READ},
    # 工作建议 (part 三 of the report). 网格服务工作例会: the secretary holds the community's, a grid
    # manager their grid's; follow-ups are written and closed (or made cases) in one's grids.
    "meeting": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "meeting_follow_up": {SECRETARY: f"{ALL} to_case", MANAGER: f"{ALL} to_case", SUPERVISOR: READ},
    # 监督: the community appoints supervisors; staff keep the contact households and record the
    # supervisors' visits and the supervision days for them — the Supervisor role only reads.
    "grid_supervisor": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "contact_household": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "supervision_visit": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    "supervision_day": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "supervision_opinion": {SECRETARY: f"{ALL} to_case", MANAGER: f"{ALL} to_case", SUPERVISOR: READ},
    # 共驻共建: the community's relations with units; money and goods also need the aid station's
    # "donate" (app.services.cobuilding).
    "cobuilding_unit": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "cobuilding_support": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    "branch_pairing": {SECRETARY: ALL, MANAGER: READ, SUPERVISOR: READ},
    # 服务联系卡: printed for households (so, like households: not volunteers); a supervisor may print
    # one, with the building head's phone masked; hand-overs are recorded by staff.
    "contact_card": {SECRETARY: "print hand_over", MANAGER: "print hand_over", SUPERVISOR: "print"},
    "card_handover": {SECRETARY: ALL, MANAGER: ALL, SUPERVISOR: READ},
    # 知晓率: households reached, and those not yet.
    "reach": {SECRETARY: READ, MANAGER: READ, SUPERVISOR: READ},
    # The field app (/field/): the people in the street report, visit (staff: visits name households)
    # and patrol from their phones; supervisors only read, so they have no field app.
    "field": {SECRETARY: "use report visit patrol", MANAGER: "use report visit patrol",
              VOLUNTEER: "use report patrol"},
    # Patrols and their tracks, per person and day: where someone walked is the cadres' to read.
    "patrol": {SECRETARY: READ, MANAGER: READ, SUPERVISOR: READ},
}

# Permissions that are not about one screen: (permission, view menu) → roles holding it.
VIEW_SENSITIVE = ("can_view_sensitive", "PersonalData")
CAPABILITIES: dict[tuple[str, str], set[str]] = {
    VIEW_SENSITIVE: {SECRETARY, MANAGER},
}

# Every signed-in user's own profile and password (FAB's views).
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"), ("resetmypassword", "UserDBModelView"),
    ("userinfoedit", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"), ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"), ("can_this_form_post", "UserInfoEditView"),
]


# CSV export of a list: for these roles, wherever they may list (their scope and masking apply).
EXPORTERS = {SECRETARY, MANAGER, SUPERVISOR}


def verbs(role: str, kind: str) -> set[str]:
    """What ``role`` may do with data of ``kind`` (Admin: everything)."""
    if role == ADMIN:
        return set(ALL.split()) | {"export"}
    granted = set(TABLE[kind].get(role, "").split())
    if "list" in granted and role in EXPORTERS:
        granted.add("export")
    return granted


def has_capability(role: str, capability: tuple[str, str]) -> bool:
    return role == ADMIN or role in CAPABILITIES[capability]
