"""网格服务工作例会: community and grid meetings with attendees, follow-ups overdue like cases, a
follow-up made a case once; grid scope and roles."""
import datetime as dt
import re

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import AuditEntry, Case, Meeting, MeetingFollowUp
from app.timekeeping import local_today
from samples import count, listed_count, newest, user_id
from test_rbac import denied

TODAY = local_today()


def meeting_form(**fields):
    return {"community": "1", "grid": "", "title": "测试例会", "held_on": TODAY.isoformat(), "place": "活动室",
            "status": "scheduled", "chair": "书记", "attendees": [], "other_attendees": "", "agenda": "研究难点问题",
            "minutes": "", "decisions": "", **fields}


def follow_up_form(meeting_id, **fields):
    return {"meeting": str(meeting_id), "grid": "", "content": "测试跟进事项", "owner": str(user_id("grid1")),
            "due_on": (TODAY + dt.timedelta(days=7)).isoformat(), "done_on": "", "result": "", **fields}


def grid_meeting(grid_id):
    return db.session.scalars(select(Meeting).where(Meeting.grid_id == grid_id).order_by(Meeting.id)).first()


def test_the_secretary_holds_a_community_meeting_with_attendees(secretary_client):
    attendees = [str(user_id(name)) for name in ("grid1", "grid2", "supervisor")]
    response = secretary_client.post("/meetingview/add", data=meeting_form(attendees=attendees))
    assert response.status_code == 302
    meeting = newest(Meeting)
    assert (meeting.title, meeting.grid_id, meeting.community_id) == ("测试例会", None, 1)
    assert sorted(user.username for user in meeting.attendees) == ["grid1", "grid2", "supervisor"]
    page = secretary_client.get(f"/meetingview/show/{meeting.id}").data.decode()
    assert "整个社区" in page and "第一网格 网格员" in page


def test_a_grid_manager_holds_their_grids_meetings_not_the_communitys(manager_client):
    before = count(Meeting)
    manager_client.post("/meetingview/add", data=meeting_form(community="", title="社区例会"))
    assert count(Meeting) == before, "a community meeting needs the whole community"
    response = manager_client.post("/meetingview/add", data=meeting_form(community="", grid="1", title="一网格例会"))
    assert response.status_code == 302
    meeting = newest(Meeting)
    assert (meeting.grid_id, meeting.community_id) == (1, 1), "the community follows from the grid"
    manager_client.post("/meetingview/add", data=meeting_form(community="", grid="2", title="二网格例会"))
    assert newest(Meeting).title == "一网格例会", "another grid's meeting is refused"


def test_a_grid_manager_reads_the_community_and_their_grid_meetings_only(manager_client):
    visible = db.session.scalar(select(func.count(Meeting.id)).where(
        or_(Meeting.grid_id == 1, Meeting.grid_id.is_(None))))
    assert listed_count(manager_client.get("/meetingview/list/").data.decode()) == visible
    other = grid_meeting(2)
    assert manager_client.get(f"/meetingview/show/{other.id}").status_code == 404
    assert manager_client.post(f"/meetingview/edit/{other.id}", data=meeting_form(grid="2")).status_code == 404
    assert manager_client.post(f"/meetingview/delete/{other.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, other.id).title != "测试例会"


def test_a_follow_up_is_overdue_like_a_case_until_done(manager_client):
    meeting = grid_meeting(1)
    late = (TODAY - dt.timedelta(days=2)).isoformat()
    assert manager_client.post("/followupview/add", data=follow_up_form(meeting.id, due_on=late)).status_code == 302
    item = newest(MeetingFollowUp)
    assert (item.grid_id, item.community_id, item.sla) == (1, 1, "overdue"), "a grid meeting's item is its grid's"
    html = manager_client.get("/followupview/list/?_flt_0_sla=overdue&psize_FollowUpView=100").data.decode()
    expected = db.session.scalar(select(func.count(MeetingFollowUp.id)).where(
        MeetingFollowUp.grid_id == 1, MeetingFollowUp.done_on.is_(None), MeetingFollowUp.due_on < TODAY))
    assert listed_count(html) == expected and "测试跟进事项" in html and "label-danger" in html
    form = follow_up_form(meeting.id, due_on=late, done_on=TODAY.isoformat(), result="已清理")
    assert manager_client.post(f"/followupview/edit/{item.id}", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(MeetingFollowUp, item.id).sla == "done"
    soon = follow_up_form(meeting.id, due_on=(TODAY + dt.timedelta(days=1)).isoformat())
    manager_client.post("/followupview/add", data=soon)
    assert newest(MeetingFollowUp).sla == "due_soon"


def test_follow_ups_are_audited(manager_client):
    manager_client.post("/followupview/add", data=follow_up_form(grid_meeting(1).id))
    item = newest(MeetingFollowUp)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "meeting_follow_up",
                                                        AuditEntry.object_id == item.id)).one()
    assert (entry.action, entry.username) == ("create", "grid1")


def test_a_grid_meetings_follow_up_stays_in_its_grid(secretary_client):
    form = follow_up_form(grid_meeting(1).id, grid="2")
    before = count(MeetingFollowUp)
    html = secretary_client.post("/followupview/add", data=form).data.decode()
    assert count(MeetingFollowUp) == before and "网格例会的跟进事项属于该网格" in html


def test_a_follow_up_becomes_one_case_from_the_meeting(manager_client):
    manager_client.post("/followupview/add", data=follow_up_form(grid_meeting(1).id, content="协调修复五号楼下水管道"))
    item = newest(MeetingFollowUp)
    cases = count(Case)
    for _ in range(2):
        manager_client.post("/followupview/action_post", data={"action": "to_case", "rowid": [item.id]})
    assert count(Case) == cases + 1
    db.session.expire_all()
    case = db.session.get(MeetingFollowUp, item.id).case
    assert (case.source, case.grid_id, case.stage, case.description) == ("meeting", 1, "discovered", item.content)


def test_a_community_wide_follow_up_needs_a_grid_before_it_becomes_a_case(secretary_client):
    community_meeting = db.session.scalars(select(Meeting).where(Meeting.grid_id.is_(None))).first()
    secretary_client.post("/followupview/add", data=follow_up_form(community_meeting.id, owner=str(user_id("secretary"))))
    item = newest(MeetingFollowUp)
    assert item.grid_id is None
    cases = count(Case)
    response = secretary_client.post("/followupview/action_post", data={"action": "to_case", "rowid": [item.id]},
                                     follow_redirects=True)
    assert count(Case) == cases and "请先指定网格" in response.data.decode()


def test_another_grids_follow_ups_are_404_to_a_grid_manager(manager_client):
    visible = db.session.scalar(select(func.count(MeetingFollowUp.id)).where(
        or_(MeetingFollowUp.grid_id == 1, MeetingFollowUp.grid_id.is_(None))))
    assert listed_count(manager_client.get("/followupview/list/").data.decode()) == visible
    other = db.session.scalars(select(MeetingFollowUp).where(MeetingFollowUp.grid_id == 2)).first()
    cases = count(Case)
    assert manager_client.get(f"/followupview/show/{other.id}").status_code == 404
    assert manager_client.post(f"/followupview/edit/{other.id}",
                               data=follow_up_form(other.meeting_id, done_on=TODAY.isoformat())).status_code == 404
    assert manager_client.post("/followupview/action_post",
                               data={"action": "to_case", "rowid": [other.id]}).status_code == 404
    assert count(Case) == cases


def test_the_supervisor_reads_meetings_and_writes_nothing(supervisor_client):
    assert supervisor_client.get("/meetingview/list/").status_code == 200
    item = db.session.scalars(select(MeetingFollowUp).order_by(MeetingFollowUp.id)).first()
    assert supervisor_client.get(f"/followupview/show/{item.id}").status_code == 200
    before = count(Meeting)
    assert denied(supervisor_client.post("/meetingview/add", data=meeting_form()))
    assert supervisor_client.post("/followupview/action_post",
                                  data={"action": "to_case", "rowid": [item.id]}).status_code == 403
    assert count(Meeting) == before


def test_volunteers_see_no_meetings(volunteer_client):
    for route in ("/meetingview/list/", "/followupview/list/"):
        assert denied(volunteer_client.get(route))


def test_the_demo_holds_a_community_meeting_every_month_with_follow_ups(app):
    months = db.session.execute(select(Meeting.held_on).where(Meeting.grid_id.is_(None))).scalars().all()
    assert len({(day.year, day.month) for day in months}) >= 12
    assert any(day > TODAY for day in months), "the next meeting is scheduled"
    per_grid = db.session.execute(select(Meeting.grid_id, func.count(Meeting.id)).where(
        Meeting.grid_id.is_not(None)).group_by(Meeting.grid_id)).all()
    assert len(per_grid) == 6 and all(number >= 4 for _grid, number in per_grid)
    states = set(db.session.scalars(select(MeetingFollowUp.sla)))
    assert {"done", "overdue"} <= states
    assert re.match(r"社区网格服务工作例会", db.session.scalars(select(Meeting.title).where(
        Meeting.grid_id.is_(None))).first())
