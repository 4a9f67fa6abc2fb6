"""Demo ledger of 桑园南社区's 邻里互助站 and 邻里互助基金, reproducing the report: 3万余元 donated,
800余件 items received, 500余户 households helped, 600余件 items given out, through the winter
relief (冬日暖民) of several years. Written with Core inserts, in date order, never below zero.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import (AidItem, Campaign, Community, Donor, FundEntry, Household, NumberSeries, StockMove, Voucher,
                        VoucherLine)
from app.timekeeping import zone

from .demo import COMMUNITY, People

SEED = 20091101
FIRST_WINTER, LAST_WINTER = 2019, 2025
# name, category, unit, low-stock mark, quantity range per donation line
ITEMS = [("棉衣", "clothing", "件", 10, (3, 8)), ("棉被", "bedding", "床", 8, (2, 6)),
         ("煤炭", "fuel", "袋", 20, (4, 9)), ("煤炉", "heating", "个", 3, (1, 3)),
         ("大米", "food", "袋", 10, (3, 7)), ("食用油", "food", "桶", 10, (2, 6)),
         ("日用品包", "daily", "份", 10, (3, 7))]
ORGANISATIONS = ["全福街道机关党支部", "辖区驻地单位党支部", "社区两新党组织联合党支部", "高校青年志愿者协会",
                 "小区物业服务中心", "爱心企业联谊会"]
DONATIONS_PER_WINTER, DISTRIBUTIONS_PER_WINTER, CARE_PER_WINTER = 14, 80, 10


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone()).astimezone(dt.UTC).replace(tzinfo=None)


class _Ledger:
    """Writes vouchers with their lines, moves and fund entries, keeping running balances."""

    def __init__(self, session, community_id):
        self.session, self.community_id = session, community_id
        self.stock: dict[int, int] = {}
        self.fund = 0
        self.numbers: dict[tuple[str, int], int] = {}

    def post(self, kind, series, day, lines, fen, fund_kind=None, fund_sign=0, sign=1, **links):
        key = (series, day.year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        voucher_id = self.session.execute(insert(Voucher).values(
            number=f"{series}-{day.year}-{self.numbers[key]:04d}", community_id=self.community_id, kind=kind,
            status="posted", dated=day, amount_fen=fen, proposed_by="secretary", posted_by="secretary",
            posted_at=_at(day), **links).returning(Voucher.id)).scalar_one()
        common = dict(voucher_id=voucher_id, community_id=self.community_id, **{
            k: v for k, v in links.items() if k in ("household_id", "grid_id", "campaign_id", "donor_id")})
        for item_id, quantity in lines:
            self.session.execute(insert(VoucherLine).values(voucher_id=voucher_id, item_id=item_id, quantity=quantity))
            self.session.execute(insert(StockMove).values(item_id=item_id, kind=kind, quantity=sign * quantity,
                                                          moved_on=day, **common))
            self.stock[item_id] = self.stock.get(item_id, 0) + sign * quantity
        if fen:
            self.session.execute(insert(FundEntry).values(kind=fund_kind, amount_fen=fund_sign * fen, entry_on=day,
                                                          **common))
            self.fund += fund_sign * fen

    def series(self):
        return [dict(series=series, year=year, last=last) for (series, year), last in self.numbers.items()]


def seed_demo_aid(session=None) -> bool:
    """The demo station's catalogue, donors, campaigns and ledger; False if already there."""
    session = session or db.session
    community = session.scalars(select(Community).where(Community.name == COMMUNITY["name"])).first()
    if community is None or session.scalar(select(func.count(AidItem.id)).where(AidItem.community_id == community.id)):
        return False
    rng = random.Random(SEED)
    people = People(rng)
    items = [session.execute(insert(AidItem).values(community_id=community.id, name=name, category=category,
                                                    unit=unit, low_stock=low, active=True)
                             .returning(AidItem.id)).scalar_one() for name, category, unit, low, _ in ITEMS]
    donors = [session.execute(insert(Donor).values(community_id=community.id, kind="organisation", name=name)
                              .returning(Donor.id)).scalar_one() for name in ORGANISATIONS]
    donors += [session.execute(insert(Donor).values(community_id=community.id, kind="person",
                                                    name=people.name(rng.choice(("male", "female"))),
                                                    phone=people.phone()).returning(Donor.id)).scalar_one()
               for _ in range(24)]
    households = session.execute(select(Household.id, Household.grid_id).order_by(Household.id)).all()
    care = [row for row in session.execute(select(Household.id, Household.grid_id).where(
        Household.low_income | Household.disability | Household.elderly_alone | Household.extreme_hardship)).all()]
    others = [row for row in households if row not in set(care)]
    rng.shuffle(others)
    ledger = _Ledger(session, community.id)
    for winter in range(FIRST_WINTER, LAST_WINTER + 1):
        start, end = dt.date(winter, 11, 15), dt.date(winter + 1, 1, 31)
        campaign = session.execute(insert(Campaign).values(
            community_id=community.id, name=f"{winter}年冬日暖民", starts_on=start, ends_on=end,
            note="募集棉衣、棉被、煤炭、煤炉等过冬物品和捐款，为辖区困难户解决过冬困难。").returning(Campaign.id)).scalar_one()
        for index in range(DONATIONS_PER_WINTER):
            day = start + dt.timedelta(days=index)
            chosen = rng.sample(range(len(ITEMS)), rng.randint(1, 3))
            lines = [(items[i], rng.randint(*ITEMS[i][4])) for i in chosen]
            fen = rng.choice((0, 20000, 30000, 40000, 50000, 60000))
            ledger.post("donation", "JZ", day, lines, fen, "donation_in", +1, donor_id=rng.choice(donors),
                        campaign_id=campaign)
        ledger.post("purchase", "CG", start + dt.timedelta(days=16), [(items[2], 20)], 60000, "purchase_out", -1,
                    campaign_id=campaign)
        helped = rng.sample(care, CARE_PER_WINTER) + [others.pop() for _ in range(DISTRIBUTIONS_PER_WINTER - CARE_PER_WINTER)]
        for index, (household_id, grid_id) in enumerate(helped):
            day = start + dt.timedelta(days=20 + index * 40 // len(helped))
            in_stock = [item for item in items if ledger.stock.get(item, 0) > 0]
            lines = [(item, 1) for item in rng.sample(in_stock, min(len(in_stock), rng.choice((1, 1, 1, 2))))]
            fen = 15000 if rng.random() < 0.3 and ledger.fund >= 15000 else 0
            if lines or fen:
                ledger.post("distribution", "FF", day, lines, fen, "relief_out", -1, sign=-1,
                            household_id=household_id, grid_id=grid_id, campaign_id=campaign)
        assert ledger.fund >= 0 and min(ledger.stock.values()) >= 0
    session.execute(insert(NumberSeries), ledger.series())
    session.commit()
    return True
