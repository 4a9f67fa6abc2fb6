"""View registration: menus and their order live here."""
from flask_babel import lazy_gettext as _l

from .admin import AuditLogView, UserScopeView
from .cases import CaseCategoryView, CaseView, MyReportsView
from .lookup import LookupView
from .registry import (BuildingView, CommunityWithGridsView, FacilityView, GridView, HouseholdView,
                       ResidentView)

REGISTRY = _l("Registry")
CASES = _l("Cases")
ADMINISTRATION = _l("Administration")


def register_views(appbuilder) -> None:
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
    appbuilder.add_view(CaseView, "Case list", label=_l("Cases"), icon="fa-exclamation-circle", category="Cases",
                        category_label=CASES, category_icon="fa-tasks")
    appbuilder.add_view(MyReportsView, "My reports", label=_l("My reports"), icon="fa-bullhorn",
                        category="Cases")
    appbuilder.add_view(CaseCategoryView, "Case categories", label=_l("Case categories"), icon="fa-tags",
                        category="Cases")
    appbuilder.add_view(UserScopeView, "Grid assignments", label=_l("Grid assignments"),
                        icon="fa-id-badge", category="Administration", category_label=ADMINISTRATION,
                        category_icon="fa-shield")
    appbuilder.add_view(AuditLogView, "Audit log", label=_l("Audit log"), icon="fa-history",
                        category="Administration")
    appbuilder.add_view_no_menu(LookupView)
