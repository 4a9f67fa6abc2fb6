"""The REST API (``/api/v1/``) for phones: FAB's ModelRestApi under the screens' own rules
(``ScopedApi``), FAB's JWT sign-in, the OpenAPI document and its Swagger UI."""
from .registry import BuildingApi, FacilityApi, GridApi, HouseholdApi, ResidentApi

APIS = (GridApi, BuildingApi, HouseholdApi, ResidentApi, FacilityApi)


def register_apis(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
