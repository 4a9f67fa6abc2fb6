"""View registration: menus and their order live here."""
from flask_babel import lazy_gettext as _l

from .admin import AuditLogView, UserScopeView
from .aid import AidDeskView, AidItemView, CampaignView, DonorView, FundEntryView, StockMoveView, VoucherView
from .cases import CaseCategoryView, CaseView, MyReportsView
from .diary import DemandsView, DiaryView, VisitView
from .notices import GroupFeedbackView, GroupSizeView, NoticeView
from .volunteers import ActivityView, AttendanceView, TeamView, VolunteerView
from .cobuilding import BranchPairingView, CobuildingUnitView, SupportDeskView, UnitSupportView
from .dashboard import DashboardView, MonthlyPackView
from .meetings import FollowUpView, MeetingView
from .outreach import CardHandoverView, ContactCardView, ReachView
from .supervision import (ContactHouseholdView, GridSupervisorView, SupervisionDayView, SupervisionOpinionView,
                          SupervisionVisitView)
from ..validation import COLUMN_LABELS
from .base import ScopedView
from .fields import apply_column_rules
from .field import FieldView, PatrolView
from .imports import ImportView
from .lookup import LookupView
from .map import MapView
from .registry import (BuildingView, CommunityWithGridsView, FacilityView, GridView, HouseholdView,
                       ResidentView)

REGISTRY = _l("Registry")
CASES = _l("Cases")
AID = _l("Aid station")
DIARY = _l("Diary and visits")
VOLUNTEERS = _l("Volunteers")
GROUP = _l("Residents' group")
GRID_SERVICE = _l("Grid service")
ADMINISTRATION = _l("Administration")


def _require(appbuilder, category: str, name: str, permission: str) -> None:
    """Show menu entry ``name`` only to roles holding ``permission`` on its view (app.security.sync)."""
    for item in appbuilder.menu.find(category).childs:
        if item.name == name:
            item.required_permission = permission


def register_views(appbuilder) -> None:
    appbuilder.add_view(DashboardView, "Dashboard", label=_l("Dashboard"), icon="fa-dashboard")
    appbuilder.add_view_no_menu(MonthlyPackView)
    appbuilder.add_view(MapView, "Community map", label=_l("Community map"), icon="fa-map",
                        category_icon="fa-map")
    appbuilder.add_view(CommunityWithGridsView, "Communities", label=_l("Communities"),
                        icon="fa-university", category="Registry", category_label=REGISTRY,
                        category_icon="fa-sitemap")
    appbuilder.add_view(GridView, "Grids", label=_l("Grids"), icon="fa-th", category="Registry")
    appbuilder.add_view(BuildingView, "Buildings", label=_l("Buildings"), icon="fa-building",
                        category="Registry")
    appbuilder.add_view(HouseholdView, "Households", label=_l("Households"), icon="fa-home",
                        category="Registry")
    appbuilder.add_view(ResidentView, "Residents", label=_l("Residents"), icon="fa-users",
                        category="Registry")
    appbuilder.add_view(FacilityView, "Facilities", label=_l("Facilities"), icon="fa-map-marker",
                        category="Registry")
    appbuilder.add_view(ImportView, "Import residents", label=_l("Import residents"), icon="fa-upload",
                        category="Registry")
    appbuilder.add_view(CaseView, "Case list", label=_l("Cases"), icon="fa-exclamation-circle", category="Cases",
                        category_label=CASES, category_icon="fa-tasks")
    appbuilder.add_view(MyReportsView, "My reports", label=_l("My reports"), icon="fa-bullhorn",
                        category="Cases")
    appbuilder.add_view(FieldView, "Field app", label=_l("Field app (phone)"), icon="fa-mobile",
                        category="Cases")
    patrols = appbuilder.add_view(PatrolView, "Patrols", label=_l("Patrols"), icon="fa-road", category="Cases")
    appbuilder.add_link("Patrols per day", href="/patrolview/days/", label=_l("Patrols per person and day"),
                        icon="fa-calendar", category="Cases", baseview=patrols)
    _require(appbuilder, "Cases", "Patrols per day", "can_list")
    appbuilder.add_view(CaseCategoryView, "Case categories", label=_l("Case categories"), icon="fa-tags",
                        category="Cases")
    appbuilder.add_view(DiaryView, "Diary", label=_l("People's-conditions diary"), icon="fa-book",
                        category="Diary", category_label=DIARY, category_icon="fa-book")
    appbuilder.add_view(DemandsView, "Collective demands", label=_l("Collective demands"), icon="fa-bar-chart",
                        category="Diary")
    appbuilder.add_view(VisitView, "Home visits", label=_l("Home visits"), icon="fa-home", category="Diary")
    appbuilder.add_view(ActivityView, "Volunteer activities", label=_l("Volunteer activities"), icon="fa-flag",
                        category="Volunteers", category_label=VOLUNTEERS, category_icon="fa-users")
    appbuilder.add_view(VolunteerView, "Volunteer list", label=_l("Volunteers"), icon="fa-user",
                        category="Volunteers")
    appbuilder.add_view(TeamView, "Volunteer teams", label=_l("Volunteer teams"), icon="fa-sitemap",
                        category="Volunteers")
    appbuilder.add_view_no_menu(AttendanceView)
    appbuilder.add_view(NoticeView, "Group notices", label=_l("Group notices"), icon="fa-bullhorn",
                        category="Group", category_label=GROUP, category_icon="fa-comments")
    appbuilder.add_view(GroupFeedbackView, "Group feedback", label=_l("Feedback from the group"),
                        icon="fa-comment", category="Group")
    appbuilder.add_view(GroupSizeView, "Group size", label=_l("Group size"), icon="fa-line-chart",
                        category="Group")
    desk = appbuilder.add_view(AidDeskView, "Distribute aid", label=_l("Distribute aid"), icon="fa-gift",
                               category="Aid station", category_label=AID, category_icon="fa-heart")
    _require(appbuilder, "Aid station", "Distribute aid", "can_distribute")
    for name, label, endpoint, icon in (("Receive a donation", _l("Receive a donation"), "donate", "fa-inbox"),
                                        ("Purchase with the fund", _l("Purchase with the fund"), "purchase",
                                         "fa-shopping-cart"),
                                        ("Adjust stock", _l("Adjust stock"), "adjust", "fa-balance-scale")):
        appbuilder.add_link(name, href=f"/aid/{endpoint}", label=label, icon=icon, category="Aid station",
                            baseview=desk)
        _require(appbuilder, "Aid station", name, f"can_{endpoint}")
    for view, name, label, icon in ((VoucherView, "Aid vouchers", _l("Aid vouchers"), "fa-file-text-o"),
                                    (AidItemView, "Aid stock", _l("Aid stock"), "fa-cubes"),
                                    (StockMoveView, "Goods given and received", _l("Goods given and received"),
                                     "fa-exchange"),
                                    (FundEntryView, "Mutual-aid fund", _l("Mutual-aid fund"), "fa-jpy"),
                                    (CampaignView, "Campaigns", _l("Campaigns"), "fa-snowflake-o"),
                                    (DonorView, "Donors", _l("Donors"), "fa-handshake-o")):
        appbuilder.add_view(view, name, label=label, icon=icon, category="Aid station")
    # 工作建议 (part 三 of the report), one menu in three parts: meetings, supervision, cards and
    # reach; co-building.
    sections = (
        ((MeetingView, "Grid service meetings", _l("Grid service meetings"), "fa-users"),
         (FollowUpView, "Meeting follow-ups", _l("Meeting follow-ups"), "fa-check-square-o")),
        ((GridSupervisorView, "Supervisors", _l("Supervisors"), "fa-eye"),
         (ContactHouseholdView, "Contact households", _l("Contact households"), "fa-home"),
         (SupervisionVisitView, "Supervision visits", _l("Supervision visits"), "fa-street-view"),
         (SupervisionDayView, "Supervision days", _l("Grid service supervision days"), "fa-calendar-check-o"),
         (SupervisionOpinionView, "Supervision opinions", _l("Opinions from supervision days"), "fa-commenting-o")),
        ((ContactCardView, "Service contact cards", _l("Service contact cards"), "fa-id-card-o"),
         (CardHandoverView, "Cards handed over", _l("Service cards handed over"), "fa-hand-o-right"),
         (ReachView, "Reach", _l("Reach (知晓率)"), "fa-bullseye")),
        ((CobuildingUnitView, "Co-building units", _l("Co-building units"), "fa-building-o"),
         (SupportDeskView, "Record support", _l("Record support from a unit"), "fa-plus"),
         (UnitSupportView, "Support from units", _l("Support from units"), "fa-gift"),
         (BranchPairingView, "Branch pairings", _l("Pairings with building party branches"), "fa-link")),
    )
    for number, section in enumerate(sections):
        if number:
            appbuilder.add_separator("Grid service")
        for view, name, label, icon in section:
            appbuilder.add_view(view, name, label=label, icon=icon, category="Grid service",
                                category_label=GRID_SERVICE, category_icon="fa-compass")
    appbuilder.add_view(UserScopeView, "Grid assignments", label=_l("Grid assignments"),
                        icon="fa-id-badge", category="Administration", category_label=ADMINISTRATION,
                        category_icon="fa-shield")
    appbuilder.add_view(AuditLogView, "Audit log", label=_l("Audit log"), icon="fa-history",
                        category="Administration")
    appbuilder.add_view_no_menu(LookupView)
    for view in appbuilder.baseviews:
        if isinstance(view, ScopedView):
            apply_column_rules(view)
            COLUMN_LABELS.setdefault(view.datamodel.obj.__tablename__, {}).update(view.label_columns or {})
    from ..api import register_apis  # after the screens: each API shares its screen's forms
    register_apis(appbuilder)
