"""The case workflow: every step allowed and refused per role and stage, events, SLA, numbers,
scope, photos, and the volunteer's report carried to closing."""
import datetime as dt
import io
import re
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CaseCategory, CaseEvent
from app.models.choices import CASE_STAGE
from app.security import actor
from app.security.roles import ADMIN, MANAGER, SECRETARY, SUPERVISOR, VOLUNTEER
from app.services import workflow
from app.timekeeping import local_today

ACCOUNTS = {ADMIN: "admin", SECRETARY: "secretary", MANAGER: "grid1", SUPERVISOR: "supervisor",
            VOLUNTEER: "volunteer"}
STEP_FORM = {"note": "理由", "resolution": "已处理", "satisfaction": "5"}


def category(name="小广告"):
    return db.session.scalars(select(CaseCategory).where(CaseCategory.name == name)).one()


def make_case(stage="discovered", grid_id=1, due_on=None, **fields):
    """A case opened by the system, then put at ``stage`` (and ``due_on``: a closed case is not changed later)."""
    case = Case(title="测试事件", category=category(), source="qq_group", grid_id=grid_id, **fields)
    workflow.open_case(case)
    case.stage = stage
    case.due_on = due_on or case.due_on
    db.session.add(case)
    db.session.commit()
    return case


def reload(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def flashes(client):
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


@pytest.mark.parametrize("role", ACCOUNTS)
def test_each_step_is_allowed_exactly_to_the_roles_named_for_it(client_as, role):
    client = client_as(ACCOUNTS[role])
    wrong = []
    for step in workflow.STEPS.values():
        case = make_case(step.sources[0])
        client.post(f"/caseview/step/{case.id}", data={"step": step.name, **STEP_FORM})
        moved = reload(case).stage == step.target
        if moved != (role == ADMIN or role in step.who):
            wrong.append(f"{role} {step.name}: {'moved' if moved else 'refused'}")
    assert not wrong, wrong


def test_a_step_from_a_stage_it_does_not_start_from_is_refused_and_changes_nothing(secretary_client):
    for step in workflow.STEPS.values():
        for stage in CASE_STAGE.codes:
            if stage in step.sources:
                continue
            case = make_case(stage)
            events = len(case.events)
            secretary_client.post(f"/caseview/step/{case.id}", data={"step": step.name, **STEP_FORM})
            after = reload(case)
            assert (after.stage, len(after.events)) == (stage, events), (step.name, stage)
    assert any("不能" in message for message in flashes(secretary_client))


def test_every_step_writes_who_when_from_to_and_note(manager_client):
    case = make_case("discovered")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    manager_client.post(f"/caseview/step/{case.id}", data={"step": "collect", "note": "群里多人反映"})
    event = reload(case).events[-1]
    assert (event.username, event.action, event.from_stage, event.to_stage, event.note) == \
        ("grid1", "collect", "discovered", "collected", "群里多人反映")
    assert event.at >= before
    html = manager_client.get(f"/caseview/show/{case.id}").data.decode()
    assert "群里多人反映" in html and "grid1" in html and "处理经过" in html


@pytest.mark.parametrize("step, form, message", [
    ("reject", {"note": " "}, "需要填写原因"),
    ("reopen", {}, "需要填写原因"),
    ("feedback", {"satisfaction": "5"}, "处理结果"),
    ("feedback", {"resolution": "已处理"}, "满意度"),
    ("feedback", {"resolution": "已处理", "satisfaction": "6"}, "满意度"),
    ("feedback", {"resolution": "已处理", "satisfaction": "很好"}, "满意度"),
    ("fly", {}, "没有名为"),
])
def test_a_step_missing_what_it_needs_is_refused_with_a_message(secretary_client, step, form, message):
    stage = workflow.STEPS[step].sources[0] if step in workflow.STEPS else "discovered"
    case = make_case(stage)
    secretary_client.post(f"/caseview/step/{case.id}", data={"step": step, **form})
    assert reload(case).stage == stage
    assert any(message in text for text in flashes(secretary_client))


def test_feedback_records_resolution_and_satisfaction_and_close_the_time(manager_client, secretary_client):
    case = make_case("in_progress")
    manager_client.post(f"/caseview/step/{case.id}", data={"step": "feedback", "resolution": "已疏通",
                                                           "satisfaction": "4"})
    secretary_client.post(f"/caseview/step/{case.id}", data={"step": "close"})
    case = reload(case)
    assert (case.stage, case.resolution, case.satisfaction) == ("closed", "已疏通", 4)
    assert case.closed_at is not None
    secretary_client.post(f"/caseview/step/{case.id}", data={"step": "reopen", "note": "居民再次反映"})
    assert (reload(case).stage, reload(case).closed_at) == ("in_progress", None)


def test_deadlines_come_from_the_category(manager_client):
    case = make_case("collected")
    assert reload(case).due_on == local_today() + dt.timedelta(days=category().days_to_register)
    manager_client.post(f"/caseview/step/{case.id}", data={"step": "register"})
    assert reload(case).due_on == local_today() + dt.timedelta(days=category().days_to_close)


@pytest.mark.parametrize("days, stage, state", [
    (-1, "registered", "overdue"), (0, "registered", "due_soon"), (2, "registered", "due_soon"),
    (3, "registered", "on_time"), (-30, "closed", "done"), (-30, "rejected", "done"),
])
def test_sla_is_computed_around_its_boundaries(app, days, stage, state):
    case = make_case(stage, due_on=local_today() + dt.timedelta(days=days))
    assert reload(case).sla == state
    assert case.id in db.session.scalars(select(Case.id).where(Case.sla == state)).all()
    # The list's filter reads the same cases through conditions an index serves.
    from app.models.cases import sla_where
    assert set(db.session.scalars(select(Case.id).where(sla_where(state)))) == \
        set(db.session.scalars(select(Case.id).where(Case.sla == state)))


def test_the_list_marks_and_filters_overdue_cases(secretary_client):
    overdue = db.session.scalar(select(func.count(Case.id)).where(
        Case.stage.not_in(("closed", "rejected")), Case.due_on < local_today()))
    assert overdue > 0, "the demo has overdue cases"
    html = secretary_client.get("/caseview/list/?_flt_0_sla=overdue&psize_CaseView=100").data.decode()
    assert int(re.search(r"</strong>\s*(\d+)\s*</div>", html).group(1)) == overdue
    assert html.count('class="label label-danger"') == overdue


def test_case_numbers_are_sequential_per_year_and_unique_under_concurrency(app):
    year = local_today().year
    last = db.session.scalar(select(func.max(Case.seq)).where(Case.year == year)) or 0
    numbers, errors = [], []

    def report():
        try:
            with app.app_context(), actor.system("tests"):  # a thread's context has no actor of its own
                case = Case(title="并发", category=category(), source="patrol", grid_id=1)
                workflow.open_case(case)
                db.session.add(case)
                db.session.commit()
                numbers.append(case.seq)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(repr(error))

    threads = [threading.Thread(target=report) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(last + 1, last + 7))
    newest = db.session.scalars(select(Case).order_by(Case.seq.desc()).where(Case.year == year)).first()
    assert newest.number == f"{year}-{newest.seq:06d}"


def test_a_grid_manager_never_touches_another_grids_case(manager_client):
    other = make_case("discovered", grid_id=2)
    own = make_case("discovered", grid_id=1)
    assert manager_client.get(f"/caseview/show/{other.id}").status_code == 404
    assert manager_client.post(f"/caseview/step/{other.id}", data={"step": "collect"}).status_code == 404
    response = manager_client.post("/caseview/action_post", data={"action": "collect", "rowid": [own.id, other.id]})
    assert response.status_code == 404
    assert (reload(own).stage, reload(other).stage) == ("discovered", "discovered")
    html = manager_client.get("/caseview/list/?psize_CaseView=100").data.decode()
    assert f"/caseview/show/{other.id}\"" not in html


def test_bulk_steps_move_all_selected_cases_or_none(manager_client):
    first, second = make_case("discovered"), make_case("discovered")
    manager_client.post("/caseview/action_post", data={"action": "collect", "rowid": [first.id, second.id]})
    assert {reload(first).stage, reload(second).stage} == {"collected"}
    ready, behind = make_case("collected"), make_case("discovered")
    manager_client.post("/caseview/action_post", data={"action": "register", "rowid": [ready.id, behind.id]})
    assert (reload(ready).stage, reload(behind).stage) == ("collected", "discovered")


def test_only_a_fresh_report_can_be_deleted(manager_client):
    fresh, registered = make_case("discovered"), make_case("registered")
    manager_client.post(f"/caseview/delete/{registered.id}")
    manager_client.post(f"/caseview/delete/{fresh.id}")
    remaining = set(db.session.scalars(select(Case.id).where(Case.id.in_([fresh.id, registered.id]))))
    assert remaining == {registered.id}
    assert any("不予立案" in message for message in flashes(manager_client))


def png(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps():
    image = Image.new("RGB", (40, 30), (30, 200, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (36.0, 41.0, 24.0), 4: (117.0, 3.0, 36.0)}  # GPSInfo: latitude, longitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_are_checked_cleaned_stored_and_served_in_scope(manager_client, client_as, app):
    case = make_case("discovered")
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()
    manager_client.post(f"/caseview/photos/{case.id}", data={"photo": [(io.BytesIO(raw), "现场.jpg"),
                                                                     (io.BytesIO(png()), "近景.png")]},
                        content_type="multipart/form-data")
    stored = reload(case).photos
    assert [(p.original_name, p.content_type) for p in stored] == [("现场.jpg", "image/jpeg"), ("近景.png", "image/png")]
    served = manager_client.get(f"/caseview/photo/{case.id}/{stored[0].id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(served.data)).getexif(), "EXIF (GPS) removed"
    other_grid = client_as("grid2")
    assert other_grid.get(f"/caseview/photo/{case.id}/{stored[0].id}").status_code == 404
    other_case = make_case("discovered")
    assert manager_client.get(f"/caseview/photo/{other_case.id}/{stored[0].id}").status_code == 404


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00 not an image at all", "evil.jpg", "不是 JPEG"),
    (b"GIF89a" + b"\x00" * 40, "anim.gif", "不是 JPEG"),
])
def test_a_file_that_is_not_an_allowed_photo_is_refused_and_nothing_kept(manager_client, app, content, name, message):
    uploads = Path(app.config["UPLOAD_FOLDER"])
    files_before = sorted(p.name for p in uploads.glob("cases/*"))
    cases_before = db.session.scalar(select(func.count(Case.id)))
    form = {"title": "带附件的事件", "category": str(category().id), "source": "qq_group", "priority": "normal",
            "grid": "1", "photo": (io.BytesIO(content), name)}
    html = manager_client.post("/caseview/add", data=form, content_type="multipart/form-data").data.decode()
    assert message in html
    assert db.session.scalar(select(func.count(Case.id))) == cases_before
    assert sorted(p.name for p in uploads.glob("cases/*")) == files_before


def test_a_photo_over_the_size_limit_is_refused(manager_client, app):
    app.config["CASE_PHOTO_MAX_BYTES"] = 1000
    case = make_case("discovered")
    manager_client.post(f"/caseview/photos/{case.id}", data={"photo": (io.BytesIO(png((400, 400))), "大图.png")},
                        content_type="multipart/form-data")
    assert reload(case).photos == []
    assert any("超过" in message for message in flashes(manager_client))


def test_a_volunteer_reports_and_the_case_is_carried_to_closing(client_as):
    volunteer, manager, secretary = client_as("volunteer"), client_as("grid1"), client_as("secretary")
    form = {"title": "5号楼楼道小广告", "category": str(category().id), "description": "楼道墙上贴满小广告",
            "location": "POINT(117.0575 36.6925)", "grid": "", "address": "", "photo": (io.BytesIO(png()), "小广告.png")}
    assert volunteer.post("/myreportsview/add", data=form, content_type="multipart/form-data").status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert (case.stage, case.source, case.grid_id, case.reporter.username) == ("discovered", "patrol", 1, "volunteer")
    assert len(case.photos) == 1 and case.number.startswith(f"{local_today().year}-")
    assert case.assignee.username == "grid1"
    assert case.number in volunteer.get("/myreportsview/list/").data.decode()
    assert volunteer.get(f"/caseview/show/{case.id}").status_code == 403  # the staff's screen is not theirs

    refused = [(manager, "close"), (volunteer, "collect"), (manager, "register")]
    for client, step in refused:
        client.post(f"/caseview/step/{case.id}", data={"step": step})
        assert reload(case).stage == "discovered", step
    for step in ("collect", "register", "handle"):
        manager.post(f"/caseview/step/{case.id}", data={"step": step, "note": f"{step} 备注"})
    manager.post(f"/caseview/step/{case.id}", data={"step": "feedback", "resolution": "已清理", "satisfaction": "5"})
    manager.post(f"/caseview/step/{case.id}", data={"step": "close"})
    assert reload(case).stage == "feedback"  # a grid manager does not close
    secretary.post(f"/caseview/step/{case.id}", data={"step": "close", "note": "回访满意"})
    case = reload(case)
    assert case.stage == "closed"
    timeline = [(e.username, e.from_stage, e.to_stage) for e in case.events]
    assert timeline == [("volunteer", None, "discovered"), ("grid1", "discovered", "collected"),
                        ("grid1", "collected", "registered"), ("grid1", "registered", "in_progress"),
                        ("grid1", "in_progress", "feedback"), ("secretary", "feedback", "closed")]
    mine = volunteer.get(f"/myreportsview/show/{case.id}").data.decode()
    assert "结案" in mine and "回访满意" in mine and "已清理" in mine
    photo = case.photos[0]
    assert volunteer.get(f"/myreportsview/photo/{case.id}/{photo.id}").status_code == 200
    others = make_case("discovered")
    assert volunteer.get(f"/myreportsview/show/{others.id}").status_code == 404


def test_a_report_outside_every_grid_asks_for_the_grid_and_keeps_what_was_typed(volunteer_client):
    before = db.session.scalar(select(func.count(Case.id)))
    form = {"title": "远处的问题", "category": str(category().id), "location": "POINT(100 30)", "grid": ""}
    html = volunteer_client.post("/myreportsview/add", data=form).data.decode()
    assert db.session.scalar(select(func.count(Case.id))) == before
    assert "请选择网格，或填写位于网格内的位置" in html and "远处的问题" in html


def test_the_demo_has_solved_cases_and_open_cases_in_every_stage(app):
    by_stage = dict(db.session.execute(select(Case.stage, func.count(Case.id)).group_by(Case.stage)).all())
    assert by_stage["closed"] >= 50
    assert all(by_stage.get(stage, 0) > 0 for stage in ("discovered", "collected", "registered", "in_progress",
                                                          "feedback", "rejected"))
    kinds = set(db.session.scalars(select(CaseCategory.name).join(Case, Case.category_id == CaseCategory.id)
                                   .where(Case.stage == "closed")))
    assert {"小广告", "占道经营", "下水管道", "基础设施"} <= kinds
    closed = db.session.scalars(select(Case).where(Case.stage == "closed")).all()
    assert all(case.satisfaction in (3, 4, 5) and case.events[-1].to_stage == "closed" for case in closed)
    assert all([e.at for e in case.events] == sorted(e.at for e in case.events) for case in closed)
    assert db.session.scalar(select(func.count(CaseEvent.id))) > 6 * by_stage["closed"]


def test_stats_count_cases_like_the_lists_do(app, secretary_client):
    from app.services.stats import community_figures

    figures = community_figures()
    open_cases = db.session.scalar(select(func.count(Case.id)).where(Case.stage.not_in(("closed", "rejected"))))
    assert (figures["cases_closed"], figures["cases_open"]) == (
        db.session.scalar(select(func.count(Case.id)).where(Case.stage == "closed")), open_cases)
    html = secretary_client.get("/caseview/list/?_flt_0_sla=overdue").data.decode()
    assert int(re.search(r"</strong>\s*(\d+)\s*</div>", html).group(1)) == figures["cases_overdue"]


# -- a closed or rejected case is read-only; every change of an open one is on its timeline ---------
def edit_form(case, **changes):
    return {"title": case.title, "category": str(case.category_id), "source": case.source,
            "priority": case.priority, "grid": str(case.grid_id), "location": "", "address": case.address or "",
            "resident": "", "assignee": str(case.assignee_id or ""), "description": case.description or "",
            **changes}


@pytest.mark.parametrize("stage", ["closed", "rejected"])
def test_a_closed_or_rejected_case_is_read_only_on_the_screen_and_the_api(manager_client, api_as, stage):
    case = make_case(stage)
    events = len(case.events)
    page = manager_client.get(f"/caseview/edit/{case.id}")
    assert page.status_code == 302 and any("只读" in message for message in flashes(manager_client))
    manager_client.post(f"/caseview/edit/{case.id}", data=edit_form(case, title="结案后改的标题"))
    headers = api_as("grid1")
    put = manager_client.put(f"/api/v1/case/{case.id}", headers=headers, json={"title": "接口改的标题"})
    assert put.status_code == 422 and "只读" in str(put.get_json()["message"])
    assert manager_client.delete(f"/api/v1/case/{case.id}", headers=headers).status_code == 422
    after = reload(case)
    assert (after.title, after.stage, len(after.events)) == ("测试事件", stage, events)


def test_a_closed_case_changes_only_through_reopening(secretary_client, api_as):
    case = make_case("closed")
    case.title = "代码改的标题"
    with pytest.raises(workflow.WorkflowError):
        db.session.commit()
    db.session.rollback()
    secretary_client.post(f"/caseview/step/{case.id}", data={"step": "reopen", "note": "居民反映又堵了"})
    assert reload(case).stage == "in_progress"
    put = secretary_client.put(f"/api/v1/case/{case.id}", headers=api_as("secretary"), json={"title": "重开后改"})
    assert put.status_code == 200, put.get_json()
    assert reload(case).title == "重开后改"


def test_every_field_change_of_an_open_case_is_on_its_timeline_whatever_wrote_it(manager_client, api_as):
    case = make_case("registered", description="原来的描述")
    manager_client.post(f"/caseview/edit/{case.id}", data=edit_form(case, title="屏幕改的标题"))
    event = reload(case).events[-1]
    assert (event.action, event.username, event.from_stage, event.to_stage) == ("edit", "grid1", "registered",
                                                                                 "registered")
    assert "测试事件 → 屏幕改的标题" in event.note
    manager_client.put(f"/api/v1/case/{case.id}", headers=api_as("grid1"), json={"description": "接口改的描述"})
    assert "原来的描述 → 接口改的描述" in reload(case).events[-1].note
    case = reload(case)
    case.priority = "urgent"
    db.session.commit()
    last = reload(case).events[-1]
    assert (last.action, last.username) == ("edit", "system: tests") and "urgent" in last.note
    events = len(reload(case).events)
    manager_client.post(f"/caseview/edit/{case.id}", data=edit_form(reload(case)))  # nothing changed
    assert len(reload(case).events) == events
