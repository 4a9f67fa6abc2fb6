"""服务联系卡 and 知晓率: printable service contact cards (one household, or a building's households
on A4 sheets), the record of cards handed over, and reach per grid with the households not reached
yet."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import DateField
from wtforms.validators import InputRequired

from ..boundary import whole_number_arg
from ..extensions import db
from ..models import Building, CardHandover, Grid, Household
from ..models.choices import RESIDENCE_TYPE
from ..models.outreach import CARD_HANDED
from ..security import actor, scope
from ..services import outreach
from ..timekeeping import local_today
from .base import ScopedView
from .fields import picker

LABELS = {
    "household": _l("Household"), "grid": _l("Grid"), "handed_on": _l("Handed over on"),
    "handed_by": _l("Handed over by"), "received_by": _l("Received by"), "note": _l("Note"),
    "building": _l("Building"), "unit": _l("Unit"), "room": _l("Room"), "head_name": _l("Head of household"),
    "residence_type": _l("Residence type"), "resident_count": _l("Residents"),
}
PAGE = 50


class ContactCardView(BaseView):
    """Cards to print, and hand-overs recorded from the printed sheets."""

    route_base = "/cards"
    default_view = "index"
    data_kind = "contact_card"
    method_permission_name = {"index": "print", "household": "print", "building": "print",
                              "hand_over_household": "hand_over", "hand_over_building": "hand_over"}

    def _household(self, pk) -> Household:
        found = db.session.scalars(scope.restrict(select(Household).where(Household.id == pk), Household)).first()
        if found is None:
            abort(404)
        return found

    def _building(self, pk) -> Building:
        found = db.session.scalars(scope.restrict(select(Building).where(Building.id == pk), Building)).first()
        if found is None:
            abort(404)
        return found

    @expose("/")
    @has_access
    def index(self):
        """The user's buildings, each with its households and how many were handed a card."""
        page = whole_number_arg("page", 1, low=1)
        households = func.count(Household.id)
        query = scope.restrict(
            select(Building.id, Building.number, Building.compound, Grid.code, Grid.name, households,
                   outreach.count_if(CARD_HANDED))
            .join(Grid, Grid.id == Building.grid_id).outerjoin(Household, Household.building_id == Building.id)
            .group_by(Building.id, Building.number, Building.compound, Grid.code, Grid.name), Building)
        total = db.session.scalar(scope.restrict(select(func.count(Building.id)), Building))
        rows = db.session.execute(query.order_by(Grid.code, Building.id).offset((page - 1) * PAGE).limit(PAGE)).all()
        return self.render_template("grid/cards_index.html", rows=rows, page=page,
                                    pages=max((total + PAGE - 1) // PAGE, 1), title=_l("Service contact cards"))

    @expose("/household/<int:pk>")
    @has_access
    def household(self, pk):
        return self._cards([outreach.card_of(self._household(pk))], None)

    @expose("/building/<int:pk>")
    @has_access
    def building(self, pk):
        building = self._building(pk)
        households = db.session.scalars(scope.restrict(
            select(Household).where(Household.building_id == building.id)
            .order_by(Household.unit, Household.room), Household)).all()
        return self._cards([outreach.card_of(household) for household in households], building)

    def _cards(self, cards, building):
        may_hand_over = self.appbuilder.sm.has_access("can_hand_over", self.class_permission_name)
        title = _l("Service contact card") if building is None else _l("Service contact cards")
        return self.render_template("grid/cards.html", cards=cards, building=building, may_hand_over=may_hand_over,
                                    title=title)

    def _hand_over(self, households) -> int:
        return outreach.hand_over(households, actor.current().name)

    @expose("/household/<int:pk>/hand_over", methods=["POST"])
    @has_access
    def hand_over_household(self, pk):
        household = self._household(pk)
        count = self._hand_over([household])
        flash(_l("Card handed over: recorded.") if count else _l("This household already had its card."), "success")
        return redirect(url_for(".household", pk=household.id))

    @expose("/building/<int:pk>/hand_over", methods=["POST"])
    @has_access
    def hand_over_building(self, pk):
        building = self._building(pk)
        households = db.session.scalars(scope.restrict(
            select(Household).where(Household.building_id == building.id), Household)).all()
        count = self._hand_over(households)
        flash(_l("%(count)d households of %(building)s recorded as handed their card.", count=count,
                 building=str(building)), "success")
        return redirect(url_for(".index"))


class CardHandoverView(ScopedView):
    datamodel = SQLAInterface(CardHandover)
    data_kind = "card_handover"
    list_title = show_title = _l("Service cards handed over")
    add_title = _l("Record a card handed over")
    edit_title = _l("Edit card hand-over")
    label_columns = LABELS
    base_order = ("handed_on", "desc")
    list_columns = ["handed_on", "household", "grid", "handed_by", "received_by"]
    show_columns = ["handed_on", "household", "grid", "handed_by", "received_by", "note"]
    add_columns = edit_columns = ["household", "handed_on", "received_by", "note"]
    search_columns = ["handed_on", "household", "grid", "handed_by"]
    add_form_extra_fields = edit_form_extra_fields = {
        "household": picker(LABELS["household"], "household"),
        "handed_on": DateField(LABELS["handed_on"], [InputRequired()], default=local_today),
    }
    search_form_extra_fields = {"household": picker(LABELS["household"], "household"),
                                "grid": picker(LABELS["grid"], "grid")}

    def pre_add(self, item):
        item.handed_by = actor.current().name


class NotReached(BaseFilter):
    """Households not reached yet (app.models.outreach.REACHED)."""

    name = "not reached"

    def apply(self, query, value):
        return query.filter(outreach.UNREACHED)


class ReachView(ScopedView):
    """知晓率: per grid, households reached by a visit, a card or the group; below, those not yet."""

    datamodel = SQLAInterface(Household)
    data_kind = "reach"
    base_filters = [["id", NotReached, None]]
    include_route_methods = {"list", "show"}
    list_template = "grid/reach.html"
    list_title = _l("Reach (知晓率)")
    show_title = _l("Household not reached yet")
    label_columns = LABELS
    base_order = ("id", "asc")
    page_size = 25
    list_columns = ["building", "unit", "room", "head_name", "residence_type", "resident_count", "grid"]
    show_columns = ["grid", "building", "unit", "room", "head_name", "residence_type", "resident_count"]
    search_columns = ["grid", "building", "unit", "room"]
    add_columns = edit_columns = ["unit"]  # no add or edit route; FAB builds the forms anyway
    formatters_columns = {"residence_type": RESIDENCE_TYPE.label}
    search_form_extra_fields = {"grid": picker(LABELS["grid"], "grid"),
                                "building": picker(LABELS["building"], "building", depends="grid")}

    def _list(self, **kwargs):
        widgets = super()._list(**kwargs)
        rows = outreach.reach_by_grid()
        widgets["reach"] = {"rows": rows, "total": outreach.total_reach(rows)}
        return widgets
