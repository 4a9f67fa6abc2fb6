"""一个本、一支队、一个群: the diary (Chinese search, make a case once), collective demands, visits on
the household's page, volunteers logging their own attendance, group feedback to a case, figures."""
import datetime as dt
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import (Activity, Attendance, Case, DiaryEntry, GroupFeedback, GroupSize, Household, Visit,
                        Volunteer)
from app.services import words
from app.services.stats import community_figures
from app.timekeeping import local_today
from samples import listed_count

TODAY = local_today()


def write(client, content, grid="1", category="request", **extra):
    data = {"entry_on": TODAY.isoformat(), "category": category, "grid": grid, "content": content, **extra}
    response = client.post("/diaryview/add", data=data)
    assert response.status_code == 302, response.data.decode()[-2000:]
    return db.session.scalars(select(DiaryEntry).order_by(DiaryEntry.id.desc())).first()


def test_chinese_search_matches_whole_words(manager_client):
    write(manager_client, "居民反映五号楼下水管道堵塞，污水外溢。")
    write(manager_client, "居民反映楼道里的水管漏水。")
    found = manager_client.get("/diaryview/list/?q=下水管道&psize_DiaryView=100").data.decode()
    assert "下水管道堵塞" in found and "水管漏水" not in found
    assert "水管漏水" in manager_client.get("/diaryview/list/?q=水管&psize_DiaryView=100").data.decode()
    # Words, not characters: 管漏 is no word, so it finds nothing although the text contains it.
    assert "水管漏水" not in manager_client.get("/diaryview/list/?q=管漏&psize_DiaryView=100").data.decode()
    assert " 下水管道 " in words.index_text("五号楼下水管道堵塞")  # the community's terms stay whole


def test_the_diary_filters_by_category_grid_author_and_follow_up(manager_client, secretary_client):
    entry = write(manager_client, "测试跟进事项", follow_up="y")
    assert entry.author.username == "grid1" and entry.follow_up
    html = secretary_client.get(f"/diaryview/list/?_flt_0_follow_up=y&_flt_0_grid=1&_flt_0_author={entry.author_id}"
                                "&psize_DiaryView=100").data.decode()
    expected = db.session.scalar(select(func.count(DiaryEntry.id)).where(
        DiaryEntry.follow_up.is_(True), DiaryEntry.grid_id == 1, DiaryEntry.author_id == entry.author_id))
    assert listed_count(html) == expected and "测试跟进事项" in html


def test_a_grid_manager_keeps_the_diary_of_their_grid_only(manager_client, client_as):
    assert listed_count(manager_client.get("/diaryview/list/").data.decode()) == db.session.scalar(
        select(func.count(DiaryEntry.id)).where(DiaryEntry.grid_id == 1))
    other = db.session.scalars(select(DiaryEntry).where(DiaryEntry.grid_id == 2)).first()
    assert manager_client.get(f"/diaryview/show/{other.id}").status_code == 404
    assert client_as("volunteer").get("/diaryview/list/").status_code != 200


def test_a_diary_entry_becomes_one_case_linked_both_ways(manager_client):
    resident = db.session.scalars(select(Household).where(Household.grid_id == 1)).first().residents[0]
    entry = write(manager_client, "居民反映楼道堆放杂物，存在安全隐患。", residents=str(resident.id))
    cases = db.session.scalar(select(func.count(Case.id)))
    manager_client.post("/diaryview/action_post", data={"action": "to_case", "rowid": [entry.id]})
    manager_client.post("/diaryview/action_post", data={"action": "to_case", "rowid": [entry.id]})
    assert db.session.scalar(select(func.count(Case.id))) == cases + 1
    db.session.expire_all()
    entry = db.session.get(DiaryEntry, entry.id)
    case = entry.case
    assert (case.source, case.grid_id, case.stage, case.resident_id) == ("diary", 1, "discovered", resident.id)
    assert case.description == entry.content and case.household_id == resident.household_id


def test_collective_demands_count_by_category_and_grid_and_name_the_frequent_words(secretary_client):
    for _ in range(3):
        write(secretary_client, "居民反映电动车在楼道充电，存在消防隐患。", grid="2")
    html = secretary_client.get(f"/diary/demands?period=week&date={TODAY.isoformat()}").data.decode()
    start = TODAY - dt.timedelta(days=TODAY.weekday())
    total = db.session.scalar(select(func.count(DiaryEntry.id)).where(
        DiaryEntry.entry_on.between(start, start + dt.timedelta(days=6))))
    assert f"共 {total} 条" in html
    top = re.findall(r'<span class="demands-word">([^<]+)</span>', html)
    assert "电动车" in top[:5] and "充电" in top[:8]


def test_a_households_page_shows_its_visits_cases_and_aid_together(manager_client):
    household = db.session.scalars(select(Household).where(Household.grid_id == 1)).first()
    response = manager_client.post("/visitview/add", data={
        "visited_on": TODAY.isoformat(), "household": str(household.id), "purpose": "condolence",
        "visitors": "网格员", "notes": "节前慰问独居老人", "follow_up": ""})
    assert response.status_code == 302
    visit = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert (visit.household_id, visit.grid_id) == (household.id, 1)
    page = manager_client.get(f"/householdview/show/{household.id}").data.decode()
    for tab in ("居民", "入户走访", "事件", "物品收发", "邻里互助基金"):
        assert tab in page
    assert "慰问" in page and "网格员" in page


def test_a_volunteer_logs_their_own_attendance_once(volunteer_client):
    activity = db.session.scalars(select(Activity).order_by(Activity.held_on.desc())).first()
    me = db.session.scalars(select(Volunteer).where(Volunteer.user_id.is_not(None))).one()
    before = db.session.scalar(select(func.count(Attendance.id)).where(Attendance.volunteer_id == me.id))
    for _ in range(2):
        volunteer_client.post("/activityview/action_post", data={"action": "attend", "rowid": [activity.id]})
    mine = db.session.scalars(select(Attendance).where(Attendance.volunteer_id == me.id)).all()
    assert len(mine) in (before, before + 1) and len(mine) == len({a.activity_id for a in mine})
    assert any(a.activity_id == activity.id and a.hours == activity.hours for a in mine)
    assert volunteer_client.get("/activityview/list/").status_code == 200
    assert volunteer_client.post("/activityview/add", data={}).status_code in (302, 403)


def test_group_feedback_becomes_a_case_from_the_qq_group(secretary_client):
    feedback = db.session.scalars(select(GroupFeedback).where(GroupFeedback.case_id.is_(None))).first()
    secretary_client.post("/groupfeedbackview/action_post", data={"action": "to_case", "rowid": [feedback.id]})
    db.session.expire_all()
    case = db.session.get(GroupFeedback, feedback.id).case
    assert case.source == "qq_group" and case.grid_id == feedback.grid_id


def test_the_reports_practices_come_out_of_the_data(app):
    figures = community_figures()
    latest = db.session.scalars(select(GroupSize.members).order_by(GroupSize.recorded_on.desc())).first()
    assert figures["group_members"] == latest and 400 <= latest < 500  # QQ群 400余人
    assert figures["diary_entries"] >= 1000  # 民情日记千余条
    patrol = db.session.scalar(select(func.count(Volunteer.id)).where(Volunteer.kind == "resident"))
    assert 30 <= patrol < 40  # 30余人组成的党员服务队
    assert 20 <= figures["volunteer_activities"] < 30  # 志愿服务活动20余次
    hours = sum(db.session.scalars(select(Attendance.hours)))
    assert figures["volunteer_hours"] == hours and figures["visits"] == db.session.scalar(select(func.count(Visit.id)))
