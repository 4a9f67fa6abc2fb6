"""Sensitive data: masked or absent for roles without the permission, on every page; no oracle."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Resident
from app.security.privacy import mask_id_number, mask_phone
from samples import listed_count


def a_resident_with_phone():
    return db.session.scalars(select(Resident).where(Resident.phone.is_not(None), Resident.id_number.is_not(None),
                                                     Resident.grid_id == 1).order_by(Resident.id)).first()


def a_care_household():
    return db.session.scalars(select(Household).where(Household.low_income.is_(True)).order_by(Household.id)).first()


def test_masks_look_like_what_users_expect():
    assert mask_id_number("370112199001010035") == "3701**********0035"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0531-88561234") == "*********1234"
    assert mask_id_number(None) == "" and mask_phone("") == ""


def test_supervisor_sees_masked_numbers_in_lists_and_detail(supervisor_client):
    resident = a_resident_with_phone()
    listing = supervisor_client.get(f"/residentview/list/?_flt_0_name={resident.name}").data.decode()
    detail = supervisor_client.get(f"/residentview/show/{resident.id}").data.decode()
    for html in (listing, detail):
        assert resident.id_number not in html and resident.phone not in html
        assert mask_id_number(resident.id_number) in html and mask_phone(resident.phone) in html


def test_secretary_and_grid_manager_see_numbers_whole(secretary_client, manager_client):
    resident = a_resident_with_phone()
    for client in (secretary_client, manager_client):
        html = client.get(f"/residentview/show/{resident.id}").data.decode()
        assert resident.id_number in html and resident.phone in html


def test_care_tags_are_absent_for_a_masked_role(supervisor_client, secretary_client):
    household = a_care_household()
    for page in (f"/householdview/show/{household.id}", f"/householdview/list/?_flt_0_building={household.building_id}"):
        assert "低保" not in supervisor_client.get(page).data.decode()
        assert "低保" in secretary_client.get(page).data.decode()
    html = supervisor_client.get("/householdview/list/").data.decode()
    assert "关怀标签" not in html and 'name="low_income" class="filter"' not in html


def test_a_related_list_on_a_detail_page_is_masked_too(supervisor_client):
    resident = a_resident_with_phone()
    html = supervisor_client.get(f"/householdview/show/{resident.household_id}").data.decode()
    assert resident.name in html and resident.id_number not in html


@pytest.mark.parametrize("column", ["id_number", "phone"])
def test_searching_a_masked_field_is_no_oracle(supervisor_client, secretary_client, column):
    resident = a_resident_with_phone()
    everyone = listed_count(supervisor_client.get("/residentview/list/").data.decode())
    for operator in ("0", "1"):  # FAB's "starts with" and "ends with" style filters by index
        url = f"/residentview/list/?_flt_{operator}_{column}={getattr(resident, column)}"
        assert listed_count(supervisor_client.get(url).data.decode()) == everyone
    html = supervisor_client.get("/residentview/list/").data.decode()
    assert f'name="{column}" class="filter"' not in html and f"_oc_ResidentView={column}" not in html
    secretary_html = secretary_client.get("/residentview/list/").data.decode()
    assert f'name="{column}" class="filter"' in secretary_html and f"_oc_ResidentView={column}" in secretary_html
    found = listed_count(secretary_client.get(f"/residentview/list/?_flt_0_{column}={getattr(resident, column)}")
                         .data.decode())
    assert 1 <= found < everyone


def test_filtering_on_a_care_tag_is_no_oracle(supervisor_client, secretary_client):
    everyone = listed_count(supervisor_client.get("/householdview/list/").data.decode())
    assert listed_count(supervisor_client.get("/householdview/list/?_flt_0_low_income=y").data.decode()) == everyone
    low_income = db.session.scalar(select(func.count(Household.id)).where(Household.low_income.is_(True)))
    assert listed_count(secretary_client.get("/householdview/list/?_flt_0_low_income=y").data.decode()) == low_income


def _row_ids(html):
    return re.findall(r'/residentview/show/(\d+)"', html)


def test_sorting_by_a_masked_field_is_ignored(supervisor_client, secretary_client):
    sorted_url = "/residentview/list/?_oc_ResidentView=id_number&_od_ResidentView=asc"
    unsorted = _row_ids(supervisor_client.get("/residentview/list/").data.decode())
    assert _row_ids(supervisor_client.get(sorted_url).data.decode()) == unsorted
    assert _row_ids(secretary_client.get(sorted_url).data.decode()) != unsorted


def _mask_samples():
    """Values a mask meets: empty, short, every length around its cut-offs, hyphenated and
    landline phones, mobiles of the wrong length or first digit, formula starts, CJK text, and
    random strings of digits, hyphens and letters."""
    import random

    fixed = [None, "", "1", "12", "1234", "12345", "12345678", "123456789", "370112199001010035",
             "37011219900101003X", "370112900101003", "13812345678", "138-1234-5678", "1-3-8-1-2-3-4-5-6-7-8",
             "0531-88561234", "053188561234", "1381234567", "138123456789", "23812345678", "+8613812345678",
             "-", "----", "-----", "1-2", "=1+2+3456789", "=HYPERLINK(1)", "@SUM(A1:A9)", "+12345678901",
             "-12345678901", "\t123456789", "\r123456789", "'123456789", "张三丰李四王五赵六钱七", "电话 138",
             " 13812345678", "13812345678 "]
    rng = random.Random(12)
    alphabet = "0123456789-1X=+@ 张"
    drawn = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 22))) for _ in range(400)]
    return fixed + drawn


def test_the_sql_masks_are_the_python_masks(app):
    """The exports mask in SQL; each SQL mask is its Python twin's, alone and neutralised as a
    cell, on this test run's database."""
    from sqlalchemy import String, literal

    from app.security.privacy import MASKS, MASKS_SQL
    from app.services.export import cell, neutral_sql

    values = _mask_samples()
    for name, mask in MASKS.items():
        twin = MASKS_SQL[name]
        for chunk in range(0, len(values), 100):  # a statement of 200 columns at a time
            part = values[chunk:chunk + 100]
            row = db.session.execute(select(*[twin(literal(v, String)) for v in part],
                                            *[twin(literal(v, String), neutral_sql) for v in part])).one()
            assert list(row[:len(part)]) == [mask(v) for v in part], name
            assert list(row[len(part):]) == [cell(mask(v)) for v in part], name
