"""Cases over the API: the staff's cases with each workflow step as its own endpoint (and its own
permission, as on the screens), photos, and a volunteer's own reports."""
from __future__ import annotations

from flask import request, send_file
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from ..models import Case
from ..services import photos, workflow
from ..views.cases import CaseView, MyReportsView
from .base import ScopedApi
from .docs import operation
from .fields import RANGE, BodySchema, plain_messages, typed

# The timeline and the photos, on the case's detail.
TIMELINE = ["events.at", "events.username", "events.action", "events.from_stage", "events.to_stage", "events.note"]
PHOTOS = ["photos.id", "photos.original_name", "photos.content_type", "photos.size", "photos.uploaded_at"]
LABELS = {"events.at": _l("Time"), "events.username": _l("By"), "events.action": _l("Step"),
          "events.from_stage": _l("From stage"), "events.to_stage": _l("To stage"), "events.note": _l("Note"),
          "photos.id": _l("Photo number"), "photos.original_name": _l("File name"),
          "photos.content_type": _l("File type"), "photos.size": _l("Size (bytes)"),
          "photos.uploaded_at": _l("Uploaded at")}


class StepSchema(BodySchema):
    __component_name__ = "CaseStep"
    note = typed(fields.String, allow_none=True)
    resolution = typed(fields.String, allow_none=True)
    satisfaction = typed(fields.Integer, strict=True, allow_none=True, validate=validate.Range(1, 5, error=RANGE))


def _step_endpoint(step):
    """``POST /<pk>/<step>``: needs the step's own permission (can_<step>), as the screens do."""
    def make_step(self, pk):
        return self._step(pk, step.name)

    make_step.__name__ = make_step.__qualname__ = step.name
    needs = ("A note is required. " if step.needs_note else "") + (
        "Resolution and satisfaction (1–5) are required. " if step.needs_feedback else "")
    make_step.__doc__ = operation(
        f"Case step: {step.name} ({' or '.join(step.sources)} → {step.target})", answer="The case after the step",
        body="CaseStep", body_required=False,
        description=f"{needs}Refused with 422 when the case is at another stage.")
    return expose(f"/<int:pk>/{step.name}", methods=["POST"])(protect()(safe(permission_name(step.name)(make_step))))


class CasePhotosApi(ScopedApi):
    """Photos of a case: added (checked, re-encoded, EXIF removed) and downloaded."""

    @expose("/<int:pk>/photos", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_photos")
    def add_photos(self, pk):
        """Add photos to a case
        ---
        post:
          summary: Add photos (JPEG, PNG or WebP; location data in them is removed)
          parameters:
          - in: path
            schema:
              type: integer
              minimum: 1
              maximum: 2147483647
            name: pk
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    photo:
                      type: array
                      items:
                        type: string
                        format: binary
                  required: [photo]
          responses:
            201:
              description: The case with its photos
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        case = self._item(pk)
        if case is None:
            return self.response_404()
        if not any(upload.filename for upload in request.files.getlist("photo")):
            return self.response_400(message="Send one or more files as multipart form data named photo")
        uploads = request.files.getlist("photo")
        return self._write(lambda: workflow.add_photos(case, uploads),
                           lambda: self.response(201, id=case.id, result=self._shown(case)))

    @expose("/<int:pk>/photos/<int:photo_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("show")
    def photo(self, pk, photo_id):
        """A photo of a case
        ---
        get:
          summary: A photo of the case, as stored (re-encoded)
          parameters:
          - in: path
            schema:
              type: integer
              minimum: 1
              maximum: 2147483647
            name: pk
          - in: path
            schema:
              type: integer
              minimum: 1
              maximum: 2147483647
            name: photo_id
          responses:
            200:
              description: The image
              content:
                image/*:
                  schema:
                    type: string
                    format: binary
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        case = self._item(pk)
        found = next((p for p in case.photos if p.id == photo_id), None) if case is not None else None
        if found is None:
            return self.response_404()
        return send_file(photos.path_of(found), mimetype=found.content_type, max_age=0)


class CaseApi(CasePhotosApi):
    resource_name = "case"
    screen = CaseView
    datamodel = SQLAInterface(Case)
    show_columns = [*CaseView.show_columns, *PHOTOS, *TIMELINE]
    more_labels = LABELS
    method_permission_name = {"add_photos": "edit", "photo": "show", "steps": "show"}
    openapi_spec_component_schemas = (StepSchema,)

    for _step in workflow.STEPS.values():
        locals()[_step.name] = _step_endpoint(_step)
    del _step

    def _step(self, pk, name):
        case = self._item(pk)
        if case is None:
            return self.response_404()
        body = request.get_json(silent=True) if request.is_json else {}
        try:
            given = StepSchema().load(body if isinstance(body, dict) else {})
        except ValidationError as error:
            return self.response_422(message=plain_messages(error.messages))
        return self._write(
            lambda: workflow.apply(case, name, note=given.get("note"), resolution=given.get("resolution"),
                                   satisfaction=given.get("satisfaction")),
            lambda: self.response(200, id=case.id, result=self._shown(case)))

    @expose("/<int:pk>/steps", methods=["GET"])
    @protect()
    @safe
    @permission_name("steps")
    def steps(self, pk):
        """The steps this user may make on the case now
        ---
        get:
          summary: The steps this user may make on the case now (the detail page's buttons)
          parameters:
          - in: path
            schema:
              type: integer
              minimum: 1
              maximum: 2147483647
            name: pk
          responses:
            200:
              description: Each step's name (its endpoint), label and what it needs
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items:
                          type: object
                          properties:
                            name:
                              type: string
                            label:
                              type: string
                            needs_note:
                              type: boolean
                            needs_feedback:
                              type: boolean
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        case = self._item(pk)
        if case is None:
            return self.response_404()
        return self.response(200, result=[
            {"name": step.name, "label": str(step.label), "needs_note": step.needs_note,
             "needs_feedback": step.needs_feedback} for step in workflow.allowed_steps(case)])


class ReportApi(CasePhotosApi):
    """A volunteer's (or anyone's) own reports: report a problem from the street, add its photos,
    follow it."""

    resource_name = "report"
    screen = MyReportsView
    datamodel = SQLAInterface(Case)
    show_columns = [*MyReportsView.show_columns, *PHOTOS]
    more_labels = LABELS
    include_route_methods = {"get_list", "get", "post", "add_photos", "photo"}
    method_permission_name = {"add_photos": "add", "photo": "show"}
