"""The registry over the API: grids, buildings, households, residents and facilities."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from ..models import Building, Facility, Grid, Household, Resident
from ..views.registry import BuildingView, FacilityView, GridView, HouseholdView, ResidentView
from .base import ScopedApi


class GridApi(ScopedApi):
    resource_name = "grid"
    screen = GridView
    datamodel = SQLAInterface(Grid)


class BuildingApi(ScopedApi):
    resource_name = "building"
    screen = BuildingView
    datamodel = SQLAInterface(Building)


class HouseholdApi(ScopedApi):
    resource_name = "household"
    screen = HouseholdView
    datamodel = SQLAInterface(Household)


class ResidentApi(ScopedApi):
    resource_name = "resident"
    screen = ResidentView
    datamodel = SQLAInterface(Resident)


class FacilityApi(ScopedApi):
    resource_name = "facility"
    screen = FacilityView
    datamodel = SQLAInterface(Facility)
