"""Sample rows and small helpers shared by the screen, scope and RBAC tests."""
import re

from sqlalchemy import func, select
from stdnum.cn import ric

from app.extensions import db
from app.models import Building, Community, Facility, Grid, Household, Resident, UserScope

SQUARE = "POLYGON((117.060 36.690, 117.061 36.690, 117.061 36.691, 117.060 36.691, 117.060 36.690))"


def valid_id(body17="37011219900101003"):
    return body17 + ric.calc_check_digit(body17 + "0")


def first_household_of_building(building_id):
    return db.session.scalars(select(Household.id).where(Household.building_id == building_id)
                              .order_by(Household.id)).first()


# route, model, form for a new row, the field changed by the edit and its new value
SCREENS = {
    "communitywithgridsview": (Community, lambda: {
        "name": "测试社区", "city": "济南市", "district": "历城区", "street": "全福街道",
        "area_km2": "0.5", "founded_on": "2010-01-01", "hotline": "0531-88123456"}, "street", "洪家楼街道"),
    "gridview": (Grid, lambda: {
        "community": "1", "code": "T-01", "name": "测试网格", "colour": "#123ABC", "boundary": SQUARE,
        "manager": "", "supervisor": "", "note": ""}, "name", "测试网格二"),
    "buildingview": (Building, lambda: {
        "grid": "1", "number": "99号楼", "compound": "测试小区", "kind": "compound", "floors": "18",
        "units": "2", "head": "", "footprint": SQUARE, "entrance": "POINT(117.0605 36.6899)"},
        "floors", 20),
    "householdview": (Household, lambda: {
        "grid": "1", "building": "1", "unit": "9", "room": "909", "phone": "13812345678",
        "residence_type": "migrant", "low_income": "y", "note": ""}, "room", "910"),
    "residentview": (Resident, lambda: {
        "grid": "1", "building": "1", "household": str(first_household_of_building(1)),
        "name": "测试居民", "id_number": valid_id(), "gender": "", "birth_date": "", "phone": "13912345678",
        "relation_to_head": "other", "political_status": "party_member", "party_branch": "第一支部",
        "party_joined_on": "2015-07-01", "party_flow": "settled", "note": ""}, "name", "测试居民二"),
    "userscopeview": (UserScope, lambda: {
        "user": str(user_id("volunteer")), "community": "", "grid": "4", "note": "巡逻第四网格"},
        "note", "巡逻第四网格（夜间）"),
    "facilityview": (Facility, lambda: {
        "grid": "2", "kind": "barber", "name": "测试理发店", "location": '{"type":"Point","coordinates":[117.06,36.69]}',
        "status": "normal", "last_inspected_on": "2026-01-01", "note": ""}, "name", "测试理发店二"),
}


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def newest(model):
    db.session.expire_all()
    return db.session.scalars(select(model).order_by(model.id.desc())).first()




def user_id(username):
    from flask_appbuilder.security.sqla.models import User
    return db.session.scalar(select(User.id).where(User.username == username))


def listed_count(html: str) -> int:
    """The record count FAB prints above a list."""
    found = re.search(r"</strong>\s*(\d+)\s*</div>", html)
    assert found, "no record count on the page"
    return int(found.group(1))
