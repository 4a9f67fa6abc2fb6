"""Demo 一个本、一支队、一个群 of 桑园南社区: 千余条 diary entries over the years, home visits, the 30余人
patrol team (城管协管员党建服务队, 2010) and the students' 青年睦邻服务队, 20余次 activities with
attendance, the residents' QQ group growing to 400余人, its notices and feedback. Core inserts."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import (Activity, Attendance, DiaryEntry, GroupFeedback, GroupSize, Household, Notice, Resident, Team,
                        Visit, Volunteer)
from app.services.words import index_text
from app.timekeeping import local_today

from .demo import People, demo_place

SEED = 20100501
DIARY_ENTRIES, VISITS = 1080, 320
DIARY = {
    "request": ["{b}居民反映楼道灯坏了，希望尽快维修。", "{b}住户反映下水道堵塞，污水外溢。", "居民反映{c}停车难，车辆乱停。",
                "{b}居民希望在楼下增加健身器材。", "居民反映{c}门口有流动摊贩占道经营。", "{b}老人反映暖气不热，希望协调供暖。",
                "{b}居民反映楼上漏水，与邻居协商未果。", "居民反映{c}垃圾清运不及时，有异味。"],
    "event": ["{b}九十岁老人过生日，网格员上门祝寿。", "社区召开党员大会，传达街道会议精神。", "{c}完成楼道粉刷。",
              "{b}新搬来一户外来务工家庭，已登记。", "{c}路灯维修完成，居民满意。"],
    "activity": ["组织党建服务队在{c}开展公益劳动，清理楼道杂物。", "举办邻里节，居民在{c}广场共度佳节。",
                 "青年睦邻服务队为{b}的孩子辅导功课。", "开展消防安全主题日宣传。"],
    "visit": ["走访{b}独居老人，了解生活和身体情况。", "走访{b}低保户，送去米面油。", "入户走访{b}残疾人家庭，了解帮扶需求。"],
    "other": ["整理{c}居民台账。", "接待居民来访咨询政策。"],
}
CATEGORY_WEIGHTS = {"request": 40, "event": 20, "activity": 15, "visit": 20, "other": 5}
ACTIVITIES = [("patrol", "党建服务队日常巡逻"), ("public_labour", "公益劳动：清理楼道小广告"), ("festival", "邻里节"),
              ("theme_day", "消防安全主题日"), ("tutoring", "青年睦邻服务队学业辅导"), ("elderly_care", "陪伴空巢老人"),
              ("public_labour", "绿化带清理"), ("patrol", "夜间安全巡逻")]


def seed_demo_community_work(session=None) -> bool:
    session = session or db.session
    place = demo_place(session)
    if place is None or session.scalar(select(func.count(Team.id)).where(Team.community_id == place.community.id)):
        return False
    community, users, grids, buildings = place.community, place.users, place.grids, place.buildings
    rng = random.Random(SEED)
    today = local_today()
    households = session.execute(select(Household.id, Household.grid_id)).all()

    def place(grid):
        building = rng.choice(buildings[grid.id])
        return {"b": building.number, "c": building.compound or building.number}

    first = dt.date(2019, 1, 1)
    span = (today - first).days
    entries = []
    for _ in range(DIARY_ENTRIES):
        index = rng.randrange(len(grids))
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        content = rng.choice(DIARY[category]).format(**place(grids[index]))
        entries.append(dict(grid_id=grids[index].id, entry_on=first + dt.timedelta(days=rng.randrange(span + 1)),
                            category=category, content=content, search_words=index_text(content),
                            follow_up=category == "request" and rng.random() < 0.4,
                            author_id=users.get(rng.choice((f"grid{index + 1}", f"grid{index + 1}", "secretary")))))
    session.execute(insert(DiaryEntry), sorted(entries, key=lambda row: row["entry_on"]))

    purposes = ("condolence", "assistance", "opinion", "supervision")
    session.execute(insert(Visit), [
        dict(visited_on=first + dt.timedelta(days=rng.randrange(span + 1)), household_id=household_id,
             grid_id=grid_id, purpose=rng.choices(purposes, weights=(30, 35, 25, 10))[0],
             visitors=rng.choice(("网格员", "网格员、楼长", "书记、网格员")), notes="了解家庭情况，登记需求。",
             follow_up=rng.random() < 0.2)
        for household_id, grid_id in rng.sample(households, VISITS)])

    patrol = session.execute(insert(Team).values(community_id=community.id, name="城管协管员党建服务队",
                                                 founded_on=dt.date(2010, 5, 1),
                                                 note="日常巡逻，不定期公益劳动。").returning(Team.id)).scalar_one()
    students = session.execute(insert(Team).values(community_id=community.id, name="青年睦邻服务队",
                                                   founded_on=dt.date(2011, 3, 1),
                                                   note="辖区高校学生志愿者，结对楼宇支部。").returning(Team.id)).scalar_one()
    members = session.execute(select(Resident.id, Resident.name).where(
        Resident.political_status == "party_member", Resident.grid_id.in_([g.id for g in grids]))
        .order_by(Resident.id).limit(400)).all()
    volunteers = []
    for position, (resident_id, name) in enumerate(rng.sample(members, 32)):
        volunteers.append(session.execute(insert(Volunteer).values(
            community_id=community.id, team_id=patrol, name=name, kind="resident", resident_id=resident_id,
            user_id=users.get("volunteer") if position == 0 else None, active=True)
            .returning(Volunteer.id)).scalar_one())
    people = People(rng)
    for _ in range(12):
        volunteers.append(session.execute(insert(Volunteer).values(
            community_id=community.id, team_id=students, name=people.name(rng.choice(("male", "female"))),
            kind="student", organisation="辖区高校青年志愿者协会", active=True).returning(Volunteer.id)).scalar_one())
    patrol_ids, student_ids = volunteers[:32], volunteers[32:]
    for number in range(24):
        kind, title = ACTIVITIES[number % len(ACTIVITIES)]
        team = students if kind in ("tutoring", "elderly_care") else patrol
        held = today - dt.timedelta(days=30 + number * 21)
        grid = rng.choice(grids + [None])
        hours = rng.choice((2.0, 2.5, 3.0, 4.0))
        activity = session.execute(insert(Activity).values(
            community_id=community.id, grid_id=grid.id if grid else None, team_id=team, kind=kind, title=title,
            held_on=held, hours=hours, organiser="党总支书记").returning(Activity.id)).scalar_one()
        pool = student_ids if team == students else patrol_ids
        session.execute(insert(Attendance), [dict(activity_id=activity, volunteer_id=volunteer, hours=hours)
                                             for volunteer in rng.sample(pool, min(len(pool), rng.randint(8, 20)))])

    month, members_count, sizes = dt.date(2010, 10, 1), 60, []
    while month <= today:
        members_count += rng.randint(1, 3)
        sizes.append(dict(community_id=community.id, channel="qq", recorded_on=month, members=members_count))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    session.execute(insert(GroupSize), sizes)
    session.execute(insert(Notice), [dict(
        community_id=community.id, channel="qq", title=title, body=body, author="secretary", to_everyone=True,
        sent_on=today - dt.timedelta(days=7 * n + rng.randint(0, 6)))
        for n, (title, body) in enumerate(rng.choice([
            ("停水通知", "因管道检修，明日8:00-12:00停水，请提前储水。"),
            ("冬日暖民活动报名", "互助站本周发放过冬物品，困难家庭请到社区登记。"),
            ("消防安全提示", "请勿在楼道内为电动车充电，保持消防通道畅通。"),
            ("亲子运动会报名", "本周六举办亲子运动会，请在群内接龙报名。"),
            ("征求意见", "关于小区停车管理办法，欢迎居民在群内留言提出意见。")]) for _ in range(48))])
    session.execute(insert(GroupFeedback), [dict(
        community_id=community.id, grid_id=rng.choice(grids).id, channel="qq",
        received_on=today - dt.timedelta(days=rng.randint(1, 200)),
        content=rng.choice(("群里有居民反映小区门口路灯不亮。", "居民在群里反映楼道有小广告。", "有居民建议增设快递柜。",
                            "群友反映垃圾桶满了没人清理。"))) for _ in range(30)])
    session.commit()
    return True
