"""Every place this app reaches into Flask-AppBuilder (FAB) below its documented surface, in one list.

Written for FAB 5.3 (``pyproject.toml`` pins the minor version to it). Each entry names the FAB code,
the shape we rely on, what we put in its place and why. ``tests/test_fab_contract.py`` checks the
installed FAB against this list (every overridden or called method still there with the same
parameters, every copied template unchanged, every method of ours that overrides FAB's listed
here, and our Python-rendered list HTML equal to FAB's own template output for every list), so an
upgrade fails loudly in the test run. The monkeypatches (``PATCHES``) check their target at start-up with
``require`` (a real error, not an ``assert`` that ``python -O`` strips).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from .database import StartupError


class FabChanged(StartupError):
    """The installed FAB (or Flask-Babel) is not the one our overrides were written for."""


def require(condition: bool, what: str) -> None:
    """Stop the start-up when a patch target is not what ``app/fab_overrides.py`` describes."""
    if not condition:
        raise FabChanged(f"{what} changed in the installed version: revisit app/fab_overrides.py "
                         "(see tests/test_fab_contract.py).")


def shape(function) -> str:
    """A function's parameters as written (names, kinds, defaults; annotations left out); for a
    property or a plain class attribute that we override, what it is."""
    if isinstance(function, property):
        return "property"
    if not callable(function):
        return "attribute"
    parts = []
    for param in inspect.signature(function).parameters.values():
        prefix = {param.VAR_POSITIONAL: "*", param.VAR_KEYWORD: "**"}.get(param.kind, "")
        default = "" if param.default is param.empty else f"={param.default!r}"
        parts.append(f"{prefix}{param.name}{default}")
    return f"({', '.join(parts)})"


@dataclass(frozen=True)
class Method:
    shape: str  # FAB 5.3's parameters (``shape``)
    ours: tuple[str, ...]  # our classes overriding it ("module:Class"); empty: we only call it
    why: str


_LIST = "(self, **kwargs)"
_HOOK = "(self, item)"
_FILTER = "(self, query, value)"

METHODS: dict[str, Method] = {
    # -- a property and a class attribute that we override with a property -------------------
    "flask_appbuilder.security.manager:BaseSecurityManager.is_auth_limited": Method(
        "property", ("app.security.manager:GridSecurityManager",),
        "FAB's sign-in limit counts every sign-in per address, successes too: ours "
        "(app/security/signin.py) counts failures per account and per address."),
    "flask_appbuilder.baseviews:BaseCRUDView.database_error_message": Method(
        "attribute", ("app.views.base:ScopedView",),
        "FAB flashes one fixed text when a write fails; ours says what the scope refused."),
    # -- form fields ----------------------------------------------------------------------------
    "flask_appbuilder.fieldwidgets:BS3TextAreaFieldWidget.__call__": Method(
        "(self, field, **kwargs)", ("app.views.fields:PlaceWidget",),
        "A geometry's text area with its small map, position button and grid (static/js/place.js)."),
    # -- list pages: speed (app/listing.py, base.py, list_html.py) and scope ----------------
    "flask_appbuilder.baseviews:BaseCRUDView._list": Method(
        _LIST, ("app.views.base:ScopedView", "app.views.outreach:ReachView",
                "app.views.supervision:ContactHouseholdView"),
        "Builds the request's filters per request without the columns the user may not search, and "
        "our kept search widget; the two screens add their own filters."),
    "flask_appbuilder.baseviews:BaseCRUDView._get_list_widget": Method(
        "(self, filters, actions=None, order_column='', order_direction='', page=None, page_size=None, "
        "widgets=None, **kwargs)", ("app.views.base:ScopedView",),
        "Drops hidden columns from the list and unsearchable ones from its order links (privacy)."),
    "flask_appbuilder.baseviews:BaseCRUDView._get_show_widget": Method(
        "(self, pk, item, widgets=None, actions=None, show_fieldsets=None)", ("app.views.base:ScopedView",),
        "Leaves hidden columns out of the detail page (privacy)."),
    "flask_appbuilder.baseviews:BaseCRUDView._show": Method(
        "(self, pk)", (), "Called for a detail page with our own template (ScopedView._detail_page)."),
    "flask_appbuilder.baseviews:BaseCRUDView._deserialize_pk_if_composite": Method(
        "(self, pk)", (), "Called to fetch an action's rows through the scope (ScopedView._scoped_item)."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.__init__": Method(
        "(self, obj, session=None)", ("app.listing:ListInterface",),
        "Adds the page's joined loads and the view's name (its keyset anchors)."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.add": Method(
        "(self, item, commit=True)", ("app.listing:ListInterface",),
        "A write the database refuses raises a FieldError naming the field and rule (FAB: a generic message)."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.edit": Method(
        "(self, item, commit=True)", ("app.listing:ListInterface",), "As add."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.delete": Method(
        "(self, item, commit=True)", ("app.listing:ListInterface",), "As add."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.query": Method(
        "(self, filters=None, order_column='', order_direction='', page=None, page_size=None, "
        "select_columns=None, outer_default_load=False)", ("app.listing:ListInterface",),
        "A list page by keyset from its link's anchor, the page's related rows joined in one query, "
        "and a plain COUNT (or PostgreSQL's estimate) instead of FAB's COUNT over a subquery."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.apply_all": Method(
        "(self, query, filters=None, order_column='', order_direction='', page=None, page_size=None, "
        "select_columns=None, outer_default_load=False)", ("app.listing:ListInterface",),
        "Adds the page's joined loads to FAB's query."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.get_inner_filters": Method(
        "(self, filters)", (), "Called by our count and keyset queries."),
    "flask_appbuilder.models.sqla.interface:SQLAInterface.apply_filters": Method(
        "(self, query, filters)", (), "Called by our count and keyset queries."),
    "flask_appbuilder.models.filters:BaseFilterConverter.convert": Method(
        "(self, col_name)", ("app.listing:FilterConverter",),
        "Each column's filters made once per interface (FAB: three times a request); a relation's "
        "equality compared by its foreign key; a computed state column through its conditions."),
    "flask_appbuilder.models.sqla.filters:FilterRelationOneToManyEqual.apply": Method(
        _FILTER, ("app.listing:KeyEqualFilter",),
        "Compares the foreign key instead of reading the related row first."),
    "flask_appbuilder.models.filters:BaseFilter.apply": Method(
        _FILTER, ("app.security.scope:ScopeFilter", "app.listing:WordFilter",
                  "app.listing:StateFilter", "app.views.outreach:NotReached"),
        "FAB's documented filter hook: the grid scope, word search, deadline states, households not reached."),
    "flask_appbuilder.models.filters:Filters.get_joined_filters": Method(
        "(self, filters)", (), "Called to join the API's checked filters with its base filters."),
    "flask_appbuilder.models.filters:Filters.rest_add_filters": Method(
        "(self, data)", (), "Called with the API's filters after we checked each value."),
    "flask_appbuilder.widgets:SearchWidget.__call__": Method(
        _LIST, ("app.views.fragments:GridSearchWidget",),
        "The search form's field templates kept per view, columns and language (~5 ms a page)."),
    "flask_appbuilder.baseviews:BaseView.render_template": Method(
        "(self, template, **kwargs)", ("app.views.base:ScopedView",), "Adds the list's CSV export link."),
    "flask_appbuilder.baseviews:BaseView.__init__": Method(
        "(self)", ("app.views.map:MapView",), "Documented constructor; the map's settings."),
    # -- screens: scope on actions, hooks (documented FAB extension points) --------------------------
    "flask_appbuilder.views:ModelView.__init__": Method(
        "(self, **kwargs)", ("app.views.base:ScopedView", "app.views.cases:CaseView"),
        "Adds the scope base filter, masks and our list interface before FAB builds the view."),
    "flask_appbuilder.views:ModelView.edit": Method(
        "(self, pk)", ("app.views.cases:CaseView",),
        "A closed or rejected case's edit page shows the case and says it is read-only."),
    "flask_appbuilder.validators:Unique.__init__": Method(
        "(self, datamodel, col_name, message=None)", ("app.views.fields:UniqueWhenGiven",),
        "Our message for a duplicate."),
    "flask_appbuilder.validators:Unique.__call__": Method(
        "(self, form, field)", ("app.views.fields:UniqueWhenGiven",),
        "A blank value duplicates nothing (FAB looked for rows where the column IS NULL)."),
    "flask_appbuilder.views:ModelView.action": Method(
        "(self, name, pk)", ("app.views.base:ScopedView",),
        "FAB fetches an action's row with datamodel.get(pk), skipping base_filters: checked through the scope first."),
    "flask_appbuilder.views:ModelView.action_post": Method(
        "(self)", ("app.views.base:ScopedView",), "As ``action``, for several rows."),
    "flask_appbuilder.views:ModelView.show": Method(
        "(self, pk)", ("app.views.aid:VoucherView", "app.views.cases:CaseView", "app.views.cases:MyReportsView"),
        "Detail pages with their own template (a voucher's lines, a case's timeline and steps)."),
    "flask_appbuilder.baseviews:BaseCRUDView.pre_add": Method(
        _HOOK, ("app.views.cases:CaseView", "app.views.cases:MyReportsView", "app.views.diary:DiaryView",
                "app.views.meetings:MeetingView", "app.views.notices:NoticeView",
                "app.views.outreach:CardHandoverView", "app.views.supervision:SupervisionVisitView"),
        "Documented hook: the services' rules for a new record (case workflow, authors)."),
    "flask_appbuilder.baseviews:BaseCRUDView.pre_update": Method(
        _HOOK, ("app.views.cases:CaseView", "app.views.meetings:MeetingView",
                "app.views.supervision:ContactHouseholdView", "app.views.supervision:SupervisionVisitView"),
        "Documented hook: the services' rules for a change."),
    "flask_appbuilder.baseviews:BaseCRUDView.pre_delete": Method(
        _HOOK, ("app.views.cases:CaseView", "app.views.cobuilding:UnitSupportView"),
        "Documented hook: what may not be deleted."),
    "flask_appbuilder.views:IndexView.index": Method(
        "(self)", ("app.views.dashboard:GridIndexView",), "The dashboard as the landing page."),
    # -- security: permissions once per request (app/security/manager.py) ------------------------------
    "flask_appbuilder.security.manager:BaseSecurityManager.has_access": Method(
        "(self, permission_name, view_name)", ("app.security.manager:GridSecurityManager",),
        "A set lookup in the request's permissions (FAB resolves the user and roles on each of ~60 calls)."),
    "flask_appbuilder.security.manager:BaseSecurityManager._has_view_access": Method(
        "(self, user, permission_name, view_name)", ("app.security.manager:GridSecurityManager",),
        "As ``has_access``, for FAB's decorators."),
    "flask_appbuilder.security.manager:BaseSecurityManager._get_user_permission_view_menus": Method(
        "(self, user, permission_name, view_menus_name)", ("app.security.manager:GridSecurityManager",),
        "The menu's permissions from the request's set (FAB: a query per menu)."),
    "flask_appbuilder.security.manager:BaseSecurityManager._get_safe_user": Method(
        "(self, user)", (), "Called to resolve the signed-in user as FAB does."),
    "flask_appbuilder.security.manager:BaseSecurityManager.auth_user_db": Method(
        "(self, username, password)", ("app.security.manager:GridSecurityManager",), "Audits each sign-in."),
    "flask_appbuilder.security.sqla.manager:SecurityManager.get_user_by_id": Method(
        "(self, pk)", ("app.security.manager:GridSecurityManager",),
        "The user with roles and groups in one query (FAB: three lazy loads a request)."),
    "flask_appbuilder.security.manager:BaseSecurityManager.create_login_manager": Method(
        "(self, app)", ("app.security.manager:GridSecurityManager",),
        "Stamps each new session with its user's session epoch (app/security/sessions.py)."),
    "flask_appbuilder.security.manager:BaseSecurityManager.create_jwt_manager": Method(
        "(self, app)", ("app.security.manager:GridSecurityManager",),
        "Each token carries its user's session epoch."),
    "flask_appbuilder.security.manager:BaseSecurityManager.load_user": Method(
        "(self, pk)", ("app.security.manager:GridSecurityManager",),
        "A session of an ended epoch (logout, new password, deactivated, role removed) is no one's."),
    "flask_appbuilder.security.manager:BaseSecurityManager.load_user_jwt": Method(
        "(self, _jwt_header, jwt_data)", ("app.security.manager:GridSecurityManager",),
        "A token of an ended epoch is refused, refresh tokens too."),
    "flask_appbuilder.security.views:AuthDBView.login": Method(
        "(self)", ("app.security.manager:GridAuthDBView",),
        "The sign-in budget (failures per account and address) answers 429 in the user's language."),
    "flask_appbuilder.security.sqla.manager:SecurityManager.add_user": Method(
        "(self, username, first_name, last_name, email, role=None, password='', hashed_password='', "
        "groups=None, commit=True)", ("app.security.manager:GridSecurityManager",),
        "Refuses an account with no role (a role looked up before the roles were synced is None)."),
    "flask_appbuilder.security.sqla.manager:SecurityManager.find_role": Method(
        "(self, name)", ("app.security.manager:GridSecurityManager",),
        "A role of the role table not there yet (a database only migrated) is synced first."),
    "flask_appbuilder.security.views:AuthView.logout": Method(
        "(self)", ("app.security.manager:GridAuthDBView",), "Logout by POST only (CSRF), audited."),
    "flask_appbuilder.security.views:AuthView._get_authenticated_user": Method(
        "(self)", (), "Called by our logout to audit who leaves."),
    # -- REST API (app/api/base.py, aid.py, docs.py) --------------------------------------------------
    "flask_appbuilder.api:ModelRestApi.__init__": Method(
        "(self)", ("app.api.aid:VoucherApi", "app.api.base:ScopedApi"),
        "Takes the screen's columns, scope and forms before FAB builds the API."),
    "flask_appbuilder.api:ModelRestApi.create_blueprint": Method(
        "(self, appbuilder, *args, **kwargs)", ("app.api.base:ScopedApi",), "Finds the screen's view first."),
    "flask_appbuilder.api:ModelRestApi._init_model_schemas": Method(
        "(self)", ("app.api.base:ScopedApi",),
        "Input schemas from the screen's forms; all four built once per class and process (start-up time)."),
    "flask_appbuilder.api:ModelRestApi.add_apispec_components": Method(
        "(self, api_spec)", ("app.api.aid:VoucherApi", "app.api.base:ScopedApi"),
        "No body schemas for endpoints the API does not have."),
    "flask_appbuilder.api:BaseApi.operation_helper": Method(
        "(self, path=None, operations=None, methods=None, func=None, **kwargs)", ("app.api.base:ScopedApi",),
        "The OpenAPI document told the truth (api/docs.py)."),
    "flask_appbuilder.api:ModelRestApi.get_list_headless": Method(
        "(self, **kwargs)", ("app.api.base:ScopedApi",), "A bad page number answers 400, not 500."),
    "flask_appbuilder.api:ModelRestApi.post_headless": Method(
        "(self)", ("app.api.base:ScopedApi",), "The body through the screen's form and hooks, one transaction."),
    "flask_appbuilder.api:ModelRestApi.put_headless": Method(
        "(self, pk)", ("app.api.base:ScopedApi",), "As ``post_headless``, through the scope."),
    "flask_appbuilder.api:ModelRestApi.delete_headless": Method(
        "(self, pk)", ("app.api.base:ScopedApi",), "The screen's pre_delete, through the scope."),
    "flask_appbuilder.api:ModelRestApi._handle_columns_args": Method(
        "(self, args, default_select_columns, default_response_columns)", ("app.api.base:ScopedApi",),
        "Hidden columns never selected (privacy)."),
    "flask_appbuilder.api:ModelRestApi._handle_order_args": Method(
        "(self, rison_args)", ("app.api.base:ScopedApi",), "No order on unsearchable columns (privacy)."),
    "flask_appbuilder.api:ModelRestApi._handle_filters_args": Method(
        "(self, rison_args)", ("app.api.base:ScopedApi",),
        "Filters built per request (FAB shares one set), allowed columns only, each value checked (400)."),
    "flask_appbuilder.api:ModelRestApi.pre_get": Method(
        "(self, data)", ("app.api.base:ScopedApi",), "Documented hook: hidden columns removed."),
    "flask_appbuilder.api:ModelRestApi.pre_get_list": Method(
        "(self, data)", ("app.api.base:ScopedApi",), "Documented hook: hidden columns removed."),
    "flask_appbuilder.api.convert:Model2SchemaConverter._column2field": Method(
        "(self, datamodel, column, nested=True, parent_schema_name=None)", ("app.api.base:ShownSchemaConverter",),
        "Rows as shown: related rows as id and label, GeoJSON, UTC offsets, masks."),
    "flask_appbuilder.api.manager:OpenApi.get": Method(
        "(self, version)", ("app.api.docs:GridOpenApi",), "The OpenAPI document built once per process."),
    "flask_appbuilder.api.manager:OpenApi._create_api_spec": Method(
        "(version)", (), "Called by GridOpenApi.get."),
}

# FAB instance attributes we read (set in FAB's constructors): checked to be set there still.
ATTRIBUTES = {
    "flask_appbuilder.baseviews:BaseCRUDView": ("_base_filters", "_related_views"),
    "flask_appbuilder.api:ModelRestApi": ("_base_filters",),
}


@dataclass(frozen=True)
class Patch:
    target: str  # module:attribute replaced
    ours: str  # the function that replaces it, which guards with ``require``
    why: str


PATCHES = (
    Patch("flask_babel:_get_current_context", "app.i18n:quicken_babel",
          "One lookup on the app context instead of three flask.g proxy lookups per translated string "
          "(~1,700 a list page, ~4 ms)."),
    Patch("flask_appbuilder.api:jsonschema", "app.api.rison:quicken_rison",
          "FAB validates every API request's q argument with jsonschema.validate, which checks the "
          "constant schema itself each time (~9 ms): each schema checked once per process."),
    Patch("flask_appbuilder.api:prison", "app.api.rison:quicken_rison",
          "FAB reads q with prison.loads, whose recursion a rison nested 200 deep turns into a "
          "RecursionError (a 500): ours refuses nesting past a bound, a 400."),
    Patch("PIL.Image:MAX_IMAGE_PIXELS", "app.services.photos:MAX_PIXELS",
          "Pillow's bomb guard, process-wide, at our photo limit: an image claiming more pixels is "
          "refused inside open(), before it is decoded (a 422)."),
    Patch("wtforms:IntegerField.process_formdata", "app.boundary:bound_form_numbers",
          "Every form's whole numbers (FAB's generated forms' and ours) refuse what the database "
          "cannot hold (a 500 on PostgreSQL otherwise); FloatField and DecimalField likewise refuse "
          "NaN, infinities and amounts past 10^15."),
    Patch("flask_wtf.form:FlaskForm.Meta.wrap_formdata", "app.boundary:screens_read_forms_only",
          "A screen's form reads a posted form only; Flask-WTF would also fill it from a JSON body, "
          "whose values of any type break the fields (500s). The REST API fills forms itself."),
)


@dataclass(frozen=True)
class Template:
    fab: str  # FAB's template (or the file whose macros we copied), under flask_appbuilder/templates
    sha256: str  # of FAB 5.3's file: a new FAB version changes it, and the test asks for a review
    ours: tuple[str, ...]  # our templates (app/templates) and Python written from it
    why: str


TEMPLATES = (
    Template("appbuilder/general/widgets/list.html",
             "2a0fad48fe42239c756dbc963dcefa3cba1181c6d699378bc811dd081ebdb662",
             ("appbuilder/general/widgets/list.html", "app/views/list_html.py:rows"),
             "Rows written in Python, row buttons rendered once a page (~600 template calls a page)."),
    Template("appbuilder/general/widgets/base_list.html",
             "16fec5c8fa0b3da9d887fce6168b109e26c96f48d32784304e8a8a0240421ea5",
             ("appbuilder/general/widgets/base_list.html", "grid/pagination.html"),
             "Our list header: page links anchored for keyset paging, approximate counts."),
    Template("appbuilder/general/lib.html",
             "d91fc4025d4fc213f0b3f62190af4157bf392b0db5b650fc6231fc2df98f5129",
             ("grid/pagination.html", "app/views/list_html.py:pagination"),
             "render_list_header and render_pagination copied (anchored links); btn_crud used per page."),
    Template("appbuilder/navbar_menu.html",
             "c80d05552fa166cfb60a766f857def9b6d602b8983c8fbc9dc50c9c29fb0ca1c",
             ("appbuilder/navbar_menu.html", "grid/menu_entries.html", "app/views/navbar.py"),
             "The menu computed in Python and kept per menu permissions and language."),
    Template("appbuilder/navbar_right.html",
             "0a7b39c996f2f3a1e425e9cc811c1a6c1bdc1aa34d2dc792aa10084e654bd4b8",
             ("appbuilder/navbar_right.html",), "Language switch; logout as a POST form with a CSRF token."),
    Template("appbuilder/general/alert.html",
             "a1d8f674dcdba29725488ee3557c0e0e7aea635f39012613c9284be38da2a31f",
             ("appbuilder/general/alert.html",), "Translated button (ids kept for FAB's scripts)."),
    Template("appbuilder/general/confirm.html",
             "b40fa102c061f75bc43de5b65b90f4858d1b5fe8d223ad49c99c0e894125c062",
             ("appbuilder/general/confirm.html",), "Translated buttons (ids kept for FAB's scripts)."),
    Template("appbuilder/general/widgets/search.html",
             "36c988fa2af397d9471690521224384abc13a4156b3bc744459f59ba7c7471c0",
             ("grid/search.html", "app/views/fragments.py"),
             "The search form's field templates as JSON kept per view, columns and language."),
)
