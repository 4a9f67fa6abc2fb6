"""The OpenAPI document (``/api/v1/_openapi``) and Swagger UI (``/apidocs/``), for signed-in users.

Swagger UI comes from the npm registry (swagger-ui-dist, served under /vendor like Leaflet), not
FAB's page and copy, and is started by a script file carrying the page's nonce: no inline code, so
the Content-Security-Policy needs no exception.
"""
from __future__ import annotations

import yaml
from flask import current_app, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.api.manager import OpenApi
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from .fields import MAX_ID

VERSION = "v1"
SIGN_IN = """Sign in with `POST /api/v1/security/login` and the body
`{"username": "…", "password": "…", "provider": "db", "refresh": true}`; send the `access_token`
as `Authorization: Bearer <token>` (Swagger UI: **Authorize**, scheme `jwt`). When it expires,
`POST /api/v1/security/refresh` with the refresh token as the bearer gives a new one.

Every endpoint keeps the screens' rules: the grid scope (another grid's record answers 404), the
role table's permissions (403), masked and hidden personal fields, and the screens' validation
(422 with a message per field). Lists take FAB's `q` argument (Rison or JSON): `filters`
(`[{"col": …, "opr": …, "value": …}]`), `order_column`, `order_direction`, `page`, `page_size`."""


MESSAGE = {"anyOf": [{"type": "string"}, {"type": "object", "description": "Each field's problems"}]}


class GridOpenApi(OpenApi):
    """FAB's document of every API of a version, readable by every signed-in user (token or session)."""

    for_every_role = True

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI document of an API version
        ---
        get:
          description: >-
            The OpenAPI document of this version of the API
          parameters:
          - in: path
            schema:
              type: string
            name: version
          responses:
            200:
              description: The OpenAPI document
              content:
                application/json:
                  schema:
                    type: object
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        spec = self._create_api_spec(version)
        apis = [api for api in current_app.appbuilder.baseviews if isinstance(api, BaseApi) and api.version == version]
        if not apis:
            return self.response_404()
        for api in apis:
            api.add_api_spec(spec)
        document = spec.to_dict()
        document["info"]["description"] = SIGN_IN
        # FAB's refusals of a body name each field's problems ({"field": ["…"]}), not only a sentence.
        for code in ("400", "422"):
            answer = document["components"]["responses"][code]["content"]["application/json"]["schema"]
            answer["properties"]["message"] = MESSAGE
        return self.response(200, **document)


class ApiDocsView(BaseView):
    """Swagger UI over the document, served from this host."""

    route_base = "/apidocs"
    default_view = "ui"
    for_every_role = True

    @expose("/")
    @has_access
    def ui(self):
        return self.render_template("grid/apidocs.html", title=_l("API documentation"),
                                    openapi_uri=url_for("GridOpenApi.get", version=VERSION))


REFUSED = {"401": {"$ref": "#/components/responses/401"}, "403": {"$ref": "#/components/responses/403"}}


def tidy_operation(operation: dict, api_name: str) -> None:
    """FAB's generated operation, corrected: ids are integers (and in range), a write answers with
    the row as shown, tokens are the one way in, and 401/403/404 are said where they can happen."""
    if "security" in operation:
        operation["security"] = [{"jwt": []}]
        for code, ref in REFUSED.items():
            operation.setdefault("responses", {}).setdefault(code, ref)
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
            parameter["schema"].update(minimum=1, maximum=MAX_ID)
            operation["responses"].setdefault("404", {"$ref": "#/components/responses/404"})
    for response in operation.get("responses", {}).values():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        properties = schema.get("properties", {})
        if "id" in properties:
            properties["id"] = {"type": "integer"}
        if "ids" in properties:
            properties["ids"]["items"] = {"type": "integer"}
        result = properties.get("result", {})
        if result.get("$ref", "").endswith((f"{api_name}.post", f"{api_name}.put")):
            result["$ref"] = f"#/components/schemas/{api_name}.get"


# -- the OpenAPI docstrings of our own endpoints (FAB reads the YAML after "---") ---------------------
ROW = {"type": "object", "properties": {
    "id": {"type": "integer"}, "result": {"$ref": "#/components/schemas/{{self.__class__.__name__}}.get"}}}
PK = {"in": "path", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "name": "pk"}
# Answers FAB has no shared component for, written out in the operation.
OWN_ANSWERS = {409: {"description": "Conflict: someone else changed the record first; the message says how",
                     "content": {"application/json": {"schema": {
                         "type": "object", "properties": {"message": {"type": "string"}}}}}}}


def operation(title: str, *, answer: str, status: int = 200, result: dict = ROW, pk: bool = True,
              body: str | None = None, body_required: bool = True, description: str | None = None,
              errors: tuple[int, ...] = (400, 401, 403, 404, 422)) -> str:
    """A POST endpoint's docstring: its summary, the row's key in the path, a request body of
    component ``body``, the answer, and the shared error responses."""
    post: dict = {"summary": title}
    if description:
        post["description"] = description
    if pk:
        post["parameters"] = [PK]
    if body:
        post["requestBody"] = {"required": body_required, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    post["responses"] = {status: {"description": answer, "content": {"application/json": {"schema": result}}},
                         **{code: OWN_ANSWERS.get(code) or {"$ref": f"#/components/responses/{code}"}
                            for code in errors}}
    return f"{title}\n---\n" + yaml.safe_dump({"post": post}, allow_unicode=True, sort_keys=False, width=1000)
