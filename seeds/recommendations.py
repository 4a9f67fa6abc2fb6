"""Demo of part 三 of 桑园南社区's report (工作建议), as if the community had taken its advice:

- (一) 网格服务工作例会: a community meeting every month (the grid managers, the secretary and the
  street's supervisor study the hard problems of grid service) and a meeting in each grid every
  quarter, with follow-up items — most done, some open, a few overdue;
- (二) 监督: each grid's work supervisor from the street office (每一个网格都要安排一名工作监督员)
  and a retired cadre or veteran party member of the grid, the contact households they keep
  (与部分家庭建立社情民意联系点) visited week by week (每周都要深入走访), and the monthly
  网格服务监督日 in the QQ group with the opinions collected (广泛接受居民意见);
- (三) 共驻共建: the resident units, non-public and "two new" party organisations, the universities
  and schools, the property companies, what they gave (people; money and goods through the aid
  ledger as posted donations) and the pairings with building party branches, the students'
  青年睦邻服务队 among them (通过分组与楼宇支部结成帮扶对子);
- (四) 服务联系卡 handed to most households, and the households in the residents' group, so that
  reach (知晓率) is high but not yet the report's 100%.

Dates are relative to the day of seeding (deadlines and "this week" look real); everything else is
deterministic. Bulk rows are Core inserts (the audit log records people's changes, not the demo's
arrival); money and goods go through ``app.services.cobuilding`` and so the ledger.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import (AidItem, Building, BranchPairing, Campaign, CardHandover, CobuildingUnit, Community,
                        ContactHousehold, Grid, GridSupervisor, Household, Meeting, MeetingFollowUp, Resident,
                        SupervisionDay, SupervisionOpinion, Team, UnitSupport, Visit)
from app.models.meetings import meeting_attendee
from app.services import cobuilding, ledger
from app.timekeeping import local_today

from .demo import People, demo_place

SEED = 20120701
GROUP_NUMBER = "236519874"  # the community's QQ group (400余人)
CONTACTS_PER_GRID = 8
SUPERVISION_WEEKS = 8
GROUP_HOUSEHOLDS = 380  # households with someone in the QQ group (its 400余 members)
CARD_SHARE = 0.7  # buildings whose households have been handed their card

MEETING_TOPICS = [
    ("占道经营与小广告整治", "各网格通报占道经营、小广告情况，研究与城管协管员党建服务队联合整治。",
     "党建服务队每周两次巡逻重点路段；小广告发现即清理。"),
    ("老旧宿舍下水管道检修", "机床二厂、纺织厂宿舍下水管道老化，多次堵塞，研究协调产权单位检修。",
     "协调驻地单位出资检修主管道；各网格登记堵塞点位。"),
    ("冬日暖民困难户摸底", "各网格摸清低保、残疾、独居老人等困难家庭过冬需求。", "网格员入户登记需求，互助站统一发放。"),
    ("服务联系卡发放与知晓率", "通报服务联系卡发放进度，研究未覆盖住户的走访办法。",
     "各网格本月内完成联系卡发放，未在群住户逐户上门。"),
    ("网格服务监督日意见办理", "梳理监督日居民意见，逐条明确责任网格和办理时限。", "意见逐条答复，需立案的转为事件。"),
    ("外来人口与厂区子弟登记", "商品小区外来务工人员增多，研究入户登记与服务办法。", "各网格核实出租房屋，更新居民台账。"),
    ("小区停车难问题", "全福花园、盛福名苑停车难，研究与物业公司协商。", "与物业公司共同规划临时停车位。"),
    ("邻里节与七一主题实践周", "筹备邻里节和庆七一党建主题实践周活动，动员驻地单位参与。", "驻地单位党组织认领活动项目。"),
]
FOLLOW_UPS = ["落实{g}重点路段巡逻，清理小广告", "登记{g}下水管道堵塞点位并报产权单位", "完成{g}困难家庭过冬需求摸底",
              "{g}未发放服务联系卡的住户逐户上门", "答复{g}监督日居民意见并反馈群内", "核实{g}出租房屋住户信息",
              "与物业协商{g}临时停车位", "组织{g}驻地单位参加邻里节"]
GRID_MEETING = ("网格党建小组季度例会", "通报本网格民情日志、事件办理和监督走访情况，研究下季度重点。",
                "楼长协助网格员走访独居老人；巡逻发现问题当日上报。")
VISIT_NOTES = ["了解网格员入户走访情况，居民反映网格员服务及时。", "居民反映楼道灯已修好，对网格服务满意。",
               "居民建议加强夜间巡逻。", "居民反映小区停车难问题仍未解决，希望社区协调。",
               "居民知道网格员和楼长的电话，遇事能找到人。", "居民反映楼下流动摊贩早上占道，影响出行。"]
OPINIONS = [("建议在群里公布每个网格管理员的电话。", "已在群公告中公布，并发放服务联系卡。"),
            ("小区门口路灯坏了好几天没人修。", "已转网格员报修，三日内修复。"),
            ("希望增加老年人健康讲座。", "与社区医院协商，每季度举办一次。"),
            ("楼道里电动车充电存在安全隐患。", "网格员已逐楼宣传，楼长协助劝导。"),
            ("快递柜太少，取件不方便。", None), ("希望周末也有人值班接待居民。", "社区安排周末值班电话。"),
            ("小广告清了又贴，能否长期治理。", "党建服务队每周巡逻清理。"), ("垃圾桶清运不及时，夏天有异味。", None)]
# name, kind, party organisation, its kind, party members, contact role, joined
UNITS = [
    ("济南机床二厂", "resident_unit", "济南机床二厂党委", "committee", 126, "工会主席", dt.date(2009, 3, 1)),
    ("济南纺织厂", "resident_unit", "济南纺织厂党总支", "general_branch", 48, "党办主任", dt.date(2009, 3, 1)),
    ("济南故事广播电台", "resident_unit", "济南故事广播电台党支部", "branch", 23, "办公室主任", dt.date(2012, 4, 1)),
    ("全福职业技术学院", "university", "全福职业技术学院党委", "committee", 310, "校团委书记", dt.date(2011, 3, 1)),
    ("桑园小学", "school", "桑园小学党支部", "branch", 17, "德育主任", dt.date(2010, 9, 1)),
    ("全福花园物业服务中心", "property", "全福花园物业党支部", "branch", 6, "项目经理", dt.date(2013, 5, 1)),
    ("桑园雅居物业公司", "property", "社区物业企业联合党支部", "joint_branch", 4, "项目经理", dt.date(2013, 5, 1)),
    ("盛福名苑物业服务有限公司", "property", "社区物业企业联合党支部", "joint_branch", 5, "客服主管", dt.date(2014, 1, 1)),
    ("全福商贸有限公司", "non_public", "全福商贸有限公司党支部", "branch", 9, "行政经理", dt.date(2012, 7, 1)),
    ("桑园社会工作服务中心", "social_org", "社区两新党组织联合党支部", "joint_branch", 3, "负责人", dt.date(2015, 3, 1)),
]
# unit, kind, when, purpose, people
PEOPLE_SUPPORT = [
    (0, dt.date(2010, 4, 3), "守望春天，邻里同植一棵树", 12), (1, dt.date(2010, 4, 3), "守望春天，邻里同植一棵树", 8),
    (8, dt.date(2010, 6, 12), "参加城管协管员党建服务队巡逻", 5), (3, dt.date(2011, 5, 21), "亲子运动会志愿服务", 20),
    (2, dt.date(2012, 6, 9), "心成长行动：专家为中小学生心理辅导", 4), (4, dt.date(2012, 6, 9), "心成长行动：组织学生参加", 30),
    (3, dt.date(2013, 10, 12), "青年睦邻服务队电脑知识培训", 15), (5, dt.date(2014, 3, 12), "小区绿化带清理", 6),
    (9, dt.date(2016, 11, 5), "独居老人法律咨询", 3), (7, dt.date(2019, 7, 1), "庆七一党建主题实践周", 10),
]
# unit, purpose, money in yuan or goods (item name, quantity)
LEDGER_SUPPORT = [
    (0, "冬日暖民捐款", 2000, ()), (1, "冬日暖民捐赠棉被", 0, (("棉被", 15),)),
    (0, "冬日暖民捐赠煤炭", 0, (("煤炭", 20),)), (8, "好水送好人：困难家庭饮用水", 1500, ()),
    (6, "冬日暖民捐赠日用品", 0, (("日用品包", 10),)), (9, "冬日暖民捐款", 1000, ()),
]
PAIRING_SERVICES = ["清理卫生、陪伴老人", "法律咨询、学业辅导", "电脑知识培训及维护", "陪伴老人、学业辅导"]


def _community_grids(place):
    return [(grid.id, grid.code, grid.name, place.users.get(f"grid{index}"))
            for index, grid in enumerate(place.grids, start=1)]


def seed_demo_recommendations(session=None) -> bool:
    """Meetings, supervision, co-building units and cards of the demo; False if already there."""
    session = session or db.session
    place = demo_place(session)
    if place is None or session.scalar(select(func.count(Meeting.id)).where(
            Meeting.community_id == place.community.id)):
        return False
    rng = random.Random(SEED)
    people = People(rng)
    today = local_today()
    community = place.community
    grids = _community_grids(place)
    users = place.users

    session.execute(update(Community).where(Community.id == community.id).values(group_number=GROUP_NUMBER))
    for grid_id, *_rest in grids:
        session.execute(update(Grid).where(Grid.id == grid_id).values(service_phone=people.phone()))

    _meetings(session, rng, community.id, grids, users, today)
    contacts = _supervision(session, rng, people, community.id, grids, users, today)
    _outreach(session, rng, grids, users, today, contacts)
    units = _units(session, rng, people, community.id, place)
    session.commit()
    _ledger_support(session, community.id, units, today)  # each through the ledger, committed
    return True


def _meetings(session, rng, community_id, grids, users, today):
    staff = [users[name] for name in ("secretary", "supervisor", *(f"grid{n}" for n in range(1, 7))) if name in users]
    first = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    month, number = first, 0
    while month <= today.replace(day=1) + dt.timedelta(days=31):
        held = month + dt.timedelta(days=(7 - month.weekday()) % 7 + 2)  # the first Wednesday
        title, agenda, decisions = MEETING_TOPICS[number % len(MEETING_TOPICS)]
        future = held > today
        meeting = session.execute(insert(Meeting).values(
            community_id=community_id, grid_id=None, title=f"社区网格服务工作例会：{title}", held_on=held,
            place="社区党员活动室", status="scheduled" if future else "held", chair="党总支书记",
            other_attendees="驻地单位党组织代表、楼长代表", agenda=agenda,
            minutes=None if future else f"各网格汇报本月网格服务情况。{agenda}", decisions=None if future else decisions)
            .returning(Meeting.id)).scalar_one()
        session.execute(insert(meeting_attendee), [dict(meeting_id=meeting, user_id=user) for user in staff])
        if not future:
            for grid_id, code, name, manager in rng.sample(grids, 2):
                _follow_up(session, rng, meeting, community_id, grid_id, manager,
                           FOLLOW_UPS[number % len(FOLLOW_UPS)].format(g=name), held, today)
        month, number = (month + dt.timedelta(days=32)).replace(day=1), number + 1
    for quarter in range(4):
        for grid_id, code, name, manager in grids:
            held = today - dt.timedelta(days=20 + 91 * quarter + rng.randint(0, 10))
            meeting = session.execute(insert(Meeting).values(
                community_id=community_id, grid_id=grid_id, title=f"{name}{GRID_MEETING[0]}", held_on=held,
                place=f"{name}党建网格工作站", status="held", chair=f"{name}网格管理员",
                other_attendees="楼长、党员代表、网格工作监督员", agenda=GRID_MEETING[1],
                minutes=f"{GRID_MEETING[1]}与会楼长反映本楼情况。", decisions=GRID_MEETING[2])
                .returning(Meeting.id)).scalar_one()
            if manager:
                session.execute(insert(meeting_attendee).values(meeting_id=meeting, user_id=manager))
            _follow_up(session, rng, meeting, community_id, grid_id, manager,
                       f"楼长协助走访{name}独居老人并登记需求", held, today)


def _follow_up(session, rng, meeting, community_id, grid_id, owner, content, held, today):
    due = held + dt.timedelta(days=rng.choice((7, 14, 21)))
    # Most items done a few days before or after the deadline; a few still open (some overdue).
    done = None
    if due < today and rng.random() < 0.85:
        done = min(due + dt.timedelta(days=rng.randint(-5, 3)), today)
    session.execute(insert(MeetingFollowUp).values(
        meeting_id=meeting, community_id=community_id, grid_id=grid_id, content=content, owner_id=owner,
        due_on=due, done_on=done, result="已完成，情况在例会上通报。" if done else None))


def _supervision(session, rng, people, community_id, grids, users, today):
    """Supervisors, contact households and their weekly visits, the monthly supervision days."""
    contacts = []
    for index, (grid_id, code, name, manager) in enumerate(grids, start=1):
        street = session.execute(insert(GridSupervisor).values(
            grid_id=grid_id, name=people.name(rng.choice(("male", "female"))), kind="street", phone=people.phone(),
            appointed_on=dt.date(2013, 3, 1), active=True, note="全福街道网格服务工作监督员")
            .returning(GridSupervisor.id, GridSupervisor.name)).one()
        elder = session.execute(select(Resident.id, Resident.name, Resident.phone).where(
            Resident.grid_id == grid_id, Resident.political_status == "party_member",
            Resident.birth_date < dt.date(1960, 1, 1)).order_by(Resident.id)).first()
        kept_by = [street]
        if elder is not None:
            kind = "retired_cadre" if index % 2 else "veteran_member"
            kept_by.append(session.execute(insert(GridSupervisor).values(
                grid_id=grid_id, name=elder.name, kind=kind, phone=elder.phone, resident_id=elder.id,
                appointed_on=dt.date(2013, 3, 1), active=True, note="社区网格化服务监督员")
                .returning(GridSupervisor.id, GridSupervisor.name)).one())
        households = session.scalars(select(Household.id).where(Household.grid_id == grid_id)
                                     .order_by(Household.id)).all()
        for position, household_id in enumerate(sorted(rng.sample(households, CONTACTS_PER_GRID))):
            keeper = kept_by[0] if position < 6 or len(kept_by) == 1 else kept_by[1]
            session.execute(insert(ContactHousehold).values(
                household_id=household_id, grid_id=grid_id, supervisor_id=keeper.id, since=dt.date(2013, 3, 15),
                note="社情民意联系点"))
            contacts.append((household_id, grid_id, keeper, f"grid{index}" if manager else "secretary"))
    monday = today - dt.timedelta(days=today.weekday())
    visits = []
    for week in range(SUPERVISION_WEEKS):
        start = monday - dt.timedelta(days=7 * week)
        days = (today - start).days + 1 if week == 0 else 7  # never a visit after today
        for household_id, grid_id, keeper, recorder in contacts:
            if rng.random() < (0.6 if week == 0 else 0.85):
                visits.append(dict(visited_on=start + dt.timedelta(days=rng.randrange(days)), household_id=household_id,
                                   grid_id=grid_id, purpose="supervision", visitors=keeper.name, supervisor_id=keeper.id,
                                   recorded_by=recorder, notes=rng.choice(VISIT_NOTES), follow_up=rng.random() < 0.1))
    session.execute(insert(Visit), sorted(visits, key=lambda row: row["visited_on"]))

    month = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    while month <= today:
        held = month + dt.timedelta(days=14)
        if held <= today:
            on_site = month.month % 3 == 0
            day = session.execute(insert(SupervisionDay).values(
                community_id=community_id, held_on=held, channel="on_site" if on_site else "qq",
                topic=f"{held.month}月网格服务监督日", participants=rng.randint(40, 120),
                summary="在社区QQ群开辟“网格服务监督日”，监督员、居民共同探讨网格化服务开展情况。")
                .returning(SupervisionDay.id)).scalar_one()
            for content, reply in rng.sample(OPINIONS, rng.randint(3, 5)):
                grid = rng.choice(grids + [None])
                session.execute(insert(SupervisionOpinion).values(
                    day_id=day, community_id=community_id, grid_id=grid[0] if grid else None,
                    raised_by=rng.choice(("QQ群友", "居民代表", "楼长", people.name("female"))), content=content,
                    reply=reply))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return contacts


def _outreach(session, rng, grids, users, today, contacts):
    """Cards handed to the households of most buildings; households in the residents' group."""
    buildings = session.execute(select(Building.id, Building.grid_id).order_by(Building.id)).all()
    managers = {grid_id: f"grid{index}" for index, (grid_id, *_rest) in enumerate(grids, start=1)}
    handed = sorted(rng.sample(buildings, round(len(buildings) * CARD_SHARE)))
    rows = []
    for building_id, grid_id in handed:
        day = today - dt.timedelta(days=rng.randint(10, 300))
        for household_id in session.scalars(select(Household.id).where(Household.building_id == building_id)
                                             .order_by(Household.id)):
            rows.append(dict(household_id=household_id, grid_id=grid_id, handed_on=day,
                             handed_by=managers.get(grid_id, "secretary"), received_by=None, note=None))
    session.execute(insert(CardHandover), rows)
    households = session.scalars(select(Household.id).order_by(Household.id)).all()
    first = dt.date(2010, 10, 1)
    for household_id in sorted(rng.sample(households, GROUP_HOUSEHOLDS)):
        session.execute(update(Household).where(Household.id == household_id).values(
            group_joined_on=first + dt.timedelta(days=rng.randrange((today - first).days))))


def _units(session, rng, people, community_id, place):
    units = []
    for name, kind, party_org, org_kind, members, role, joined in UNITS:
        units.append(session.execute(insert(CobuildingUnit).values(
            community_id=community_id, name=name, kind=kind, address=f"全福街道{name}",
            contact=f"{people.name(rng.choice(('male', 'female')))}（{role}）", phone=people.phone(),
            party_org=party_org, party_org_kind=org_kind, party_members=members, joined_on=joined, active=True)
            .returning(CobuildingUnit.id)).scalar_one())
    session.execute(insert(UnitSupport), [dict(unit_id=units[unit], community_id=community_id, given_on=day,
                                               kind="people", purpose=purpose, people=count, amount_fen=0)
                                          for unit, day, purpose, count in PEOPLE_SUPPORT])
    # 楼宇支部结对: the old dormitories' units with their buildings' branches; the students' team in
    # groups with branches of every grid.
    students = session.scalar(select(Team.id).where(Team.community_id == community_id, Team.name == "青年睦邻服务队"))
    students_pair = dict(team_id=students) if students is not None else dict(unit_id=units[3])
    partners = {0: units[0], 1: units[1], 2: units[8], 3: units[5], 4: units[6], 5: units[7]}
    pairs = []
    for index, grid in enumerate(place.grids):
        first, second = sorted(place.buildings[grid.id], key=lambda building: building.id)[:2]
        for building, who in ((first, dict(unit_id=partners[index % 6])), (second, students_pair)):
            pairs.append(dict(unit_id=who.get("unit_id"), team_id=who.get("team_id"), building_id=building.id,
                              grid_id=grid.id, branch=f"{grid.name}{building.number}楼宇党支部",
                              services=PAIRING_SERVICES[len(pairs) % len(PAIRING_SERVICES)],
                              started_on=dt.date(2011 + index % 3, 3, 1), active=True))
    session.execute(insert(BranchPairing), pairs)
    return units


def _ledger_support(session, community_id, units, today):
    """Money and goods from units: posted donations of the latest winter's campaign (冬日暖民)."""
    campaign = session.scalars(select(Campaign).where(Campaign.community_id == community_id)
                               .order_by(Campaign.starts_on.desc())).first()
    items = dict(session.execute(select(AidItem.name, AidItem.id).where(AidItem.community_id == community_id)).all())
    start = campaign.starts_on if campaign is not None else today - dt.timedelta(days=60)
    for number, (unit, purpose, yuan, goods) in enumerate(LEDGER_SUPPORT):
        lines = [ledger.Line(items[name], quantity) for name, quantity in goods if name in items]
        if goods and not lines:
            continue  # the aid station's catalogue is not the demo's
        cobuilding.give(session.get(CobuildingUnit, units[unit]), "money" if yuan else "goods",
                        min(start + dt.timedelta(days=3 + 5 * number), today), purpose, lines=lines,
                        amount_fen=yuan * 100, campaign_id=campaign.id if campaign is not None else None)
