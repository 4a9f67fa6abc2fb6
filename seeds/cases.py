"""Demo cases for 桑园南社区: the patrol team's "50余项" solved problems (小广告, 占道经营, 下水管道,
基础设施 …) with realistic timelines and satisfaction, plus open cases in every stage.

Dates are relative to the day of seeding, so deadlines look as they would in real use; everything
else is deterministic. Written with Core inserts (the audit log records people's changes, not the
demo's arrival).
"""
from __future__ import annotations

import datetime as dt
import random

from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Case, CaseCategory, CaseEvent, NumberSeries
from app.timekeeping import local_today, zone

from .demo import _random_point, demo_place, grid_cell

SEED = 20260101
# name, days to register, days to close, share of the closed cases
CATEGORIES = [
    ("小广告", 1, 3, 14), ("占道经营", 1, 5, 12), ("下水管道", 1, 7, 11), ("基础设施", 2, 10, 10),
    ("环境卫生", 1, 3, 5), ("安全隐患", 1, 3, 3), ("邻里纠纷", 2, 7, 1), ("其他", 2, 7, 0),
]
TITLES = {
    "小广告": ["{b}楼道张贴小广告", "{b}单元门小广告清理", "{b}墙面喷涂小广告"],
    "占道经营": ["{c}门口流动摊贩占道", "{c}路口早市占道经营", "{c}西侧水果摊占道"],
    "下水管道": ["{b}下水管道堵塞", "{b}化粪池外溢", "{b}雨水井堵塞"],
    "基础设施": ["{c}路灯损坏", "{b}楼道灯不亮", "{c}井盖松动", "{b}单元门禁损坏"],
    "环境卫生": ["{c}垃圾堆放未清运", "{b}楼道杂物堆积"],
    "安全隐患": ["{b}电动车楼道充电", "{c}消防通道被占"],
    "邻里纠纷": ["{b}楼上漏水邻里纠纷"],
    "其他": ["{c}居民咨询"],
}
RESOLUTIONS = {
    "小广告": "服务队清理完毕，张贴文明提示。", "占道经营": "劝离摊贩，协调至便民市场经营。",
    "下水管道": "联系物业疏通管道，已恢复正常。", "基础设施": "报修后已更换维修。",
    "环境卫生": "组织公益劳动清理完毕。", "安全隐患": "已劝导整改并复查。",
    "邻里纠纷": "网格员上门调解，双方达成一致。", "其他": "已答复居民。",
}
CLOSED = 56
OPEN_PER_STAGE = 3
OPEN_STAGES = ("discovered", "collected", "registered", "in_progress", "feedback")
STEPS = [("collect", "discovered", "collected"), ("register", "collected", "registered"),
         ("handle", "registered", "in_progress"), ("feedback", "in_progress", "feedback"),
         ("close", "feedback", "closed")]


def _utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=zone()).astimezone(dt.UTC).replace(tzinfo=None)


def _plan(rng, stage, today, now, grids, buildings, weights):
    """One case (a row for ``case_record`` in local times) and its timeline, ending at ``stage``."""
    category_index = rng.choices(range(len(CATEGORIES)), weights=[w or 1 for w in weights])[0]
    name, register_days, close_days, _share = CATEGORIES[category_index]
    grid_index = rng.randrange(len(grids))
    grid = grids[grid_index]
    building = rng.choice(buildings[grid.id])
    manager = f"grid{grid_index + 1}"
    patrol = rng.random() < 0.7
    reporter = "volunteer" if patrol else manager
    if stage == "closed":
        age, steps = rng.randint(12, 320), STEPS
    elif stage == "rejected":
        age, steps = rng.randint(5, 60), [STEPS[0], ("reject", "collected", "rejected")]
    else:
        age, steps = rng.randint(0, 4 + 2 * OPEN_STAGES.index(stage)), STEPS[:OPEN_STAGES.index(stage)]
    at = dt.datetime.combine(today - dt.timedelta(days=age), dt.time(rng.randint(7, 11), rng.randint(0, 59)))
    at = min(at, now - dt.timedelta(hours=len(steps) + 1))
    reported, due = at, at.date() + dt.timedelta(days=register_days)
    timeline = [("report", None, "discovered", at, reporter, None)]
    for action, before, after in steps:
        at = min(at + dt.timedelta(hours=rng.choice((2, 5, 20, 26, 48, 70))), now)
        if action == "register":
            due = at.date() + dt.timedelta(days=close_days)
        who = "secretary" if action in ("close", "reject") else manager
        note = {"reject": "重复上报，已并入前一事件。", "feedback": RESOLUTIONS[name]}.get(action)
        timeline.append((action, before, after, at, who, note))
    satisfaction = rng.choices((5, 4, 3), weights=(70, 25, 5))[0] if stage in ("feedback", "closed") else None
    row = dict(
        title=rng.choice(TITLES[name]).format(b=building.number, c=building.compound or building.number),
        description="巡逻中发现。" if patrol else "居民在QQ群反映。", category_index=category_index,
        source="patrol" if patrol else "qq_group", grid_id=grid.id,
        location=from_shape(_random_point(rng, grid_cell(grid_index)), srid=4326), address=str(building),
        reporter_id=reporter, assignee_id=manager,
        priority=rng.choices(("normal", "high", "low", "urgent"), weights=(70, 15, 10, 5))[0], stage=stage,
        reported_at=reported, due_on=due, closed_at=at if stage == "closed" else None,
        resolution=RESOLUTIONS[name] if satisfaction else None, satisfaction=satisfaction)
    return row, timeline


def seed_demo_cases(session=None) -> bool:
    """Categories and cases of the demo community; False (nothing written) if already there."""
    session = session or db.session
    place = demo_place(session)
    if place is None or session.scalar(
            select(func.count(CaseCategory.id)).where(CaseCategory.community_id == place.community.id)):
        return False
    community, users, grids, buildings = place.community, place.users, place.grids, place.buildings
    rng = random.Random(SEED)
    today = local_today()

    categories = []
    for name, register_days, close_days, _share in CATEGORIES:
        categories.append(session.execute(insert(CaseCategory).values(
            community_id=community.id, name=name, days_to_register=register_days, days_to_close=close_days,
            active=True).returning(CaseCategory.id)).scalar_one())
    weights = [share for *_rest, share in CATEGORIES]

    plans = (["closed"] * CLOSED + [stage for stage in OPEN_STAGES for _ in range(OPEN_PER_STAGE)]
             + ["rejected"] * 2)
    now = dt.datetime.now(zone()).replace(tzinfo=None, second=0, microsecond=0)
    cases = [_plan(rng, stage, today, now, grids, buildings, weights) for stage in plans]
    cases.sort(key=lambda planned: planned[0]["reported_at"])  # numbers follow the reporting order
    counters: dict[int, int] = {}
    events = []
    for row, timeline in cases:
        year = row["reported_at"].year
        counters[year] = counters.get(year, 0) + 1
        row.update(number=f"{year}-{counters[year]:06d}", year=year, seq=counters[year],
                   category_id=categories[row.pop("category_index")],
                   reporter_id=users.get(row["reporter_id"]), assignee_id=users.get(row["assignee_id"]))
        for key in ("reported_at", "closed_at"):
            row[key] = _utc(row[key]) if row[key] else None
        case_id = session.execute(insert(Case).values(**row).returning(Case.id)).scalar_one()
        for action, before, after, at, who, note in timeline:
            events.append(dict(case_id=case_id, at=_utc(at), user_id=users.get(who), username=who,
                               action=action, from_stage=before, to_stage=after, note=note))
    session.execute(insert(CaseEvent), events)
    for year, last in counters.items():
        session.execute(insert(NumberSeries).values(series="case", year=year, last=last))
    session.commit()
    return True
