"""View registration: menus and their order live here."""
from flask_babel import lazy_gettext as _l

from .lookup import LookupView
from .registry import (BuildingView, CommunityWithGridsView, FacilityView, GridView, HouseholdView,
                       ResidentView)

REGISTRY = _l("Registry")


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
    appbuilder.add_view_no_menu(LookupView)
