"""The REST API (``/api/v1/``) for phones: FAB's ModelRestApi under the screens' own rules
(``ScopedApi``), FAB's JWT sign-in, the OpenAPI document and its Swagger UI."""
from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .aid import FundEntryApi, StockMoveApi, VoucherApi
from .cases import CaseApi, ReportApi
from .community import ActivityApi, DiaryApi, VisitApi
from .docs import ApiDocsView, GridOpenApi
from .registry import BuildingApi, FacilityApi, GridApi, HouseholdApi, ResidentApi

APIS = (GridApi, BuildingApi, HouseholdApi, ResidentApi, FacilityApi, CaseApi, ReportApi, DiaryApi, VisitApi,
        ActivityApi, VoucherApi, StockMoveApi, FundEntryApi)


def _json_for_api(error: HTTPException):
    """Under /api/, errors answer in JSON like the API's own (no such route, wrong method, too many
    sign-ins, too large); elsewhere the usual page."""
    if error.code is None or error.code < 400 or not request.path.startswith("/api/"):
        return error
    response = jsonify(message=error.description or error.name)
    response.status_code = error.code
    for name in ("Allow", "Retry-After"):
        if name in error.get_response().headers:
            response.headers[name] = error.get_response().headers[name]
    return response


def register_apis(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
    appbuilder.add_api(GridOpenApi)
    appbuilder.add_view_no_menu(ApiDocsView)
    current_app.register_error_handler(HTTPException, _json_for_api)
