"""Sensitive data: masked or absent for roles without the permission, on every page; no oracle."""
import csv
import datetime as dt
import io
import json
import re

import pytest
from stdnum.cn import ric
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Resident
from app.security.privacy import mask_birth_date, mask_id_number, mask_phone
from samples import listed_count


def a_resident_with_phone():
    return db.session.scalars(select(Resident).where(Resident.phone.is_not(None), Resident.id_number.is_not(None),
                                                     Resident.grid_id == 1).order_by(Resident.id)).first()


def a_care_household():
    return db.session.scalars(select(Household).where(Household.low_income.is_(True)).order_by(Household.id)).first()


def test_masks_look_like_what_users_expect():
    assert mask_id_number("370112199001010035") == "3701**********003*"
    assert mask_birth_date(dt.date(1990, 1, 1)) == "1990-**-**" and mask_birth_date(None) == ""
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


# -- no masked view lets an ID number be rebuilt --------------------------------------------------
MASKED_ID = re.compile(r"(?<![0-9Xx*])[0-9Xx*]{18}(?![0-9Xx*])")
FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
YEAR_ONLY = re.compile(r"(\d{4})-\*\*-\*\*")


def _candidates(masked: str, region: str, row_text: str) -> int:
    """How many ID numbers fit what a row shows of a resident, for someone who knows the
    community's region code (the first six digits: the same for every resident): the masked
    number's visible characters, and any date or birth year on the row as the birth date."""
    days = {dt.date(int(y), int(m), int(d)) for y, m, d in FULL_DATE.findall(row_text)
            if 1 <= int(m) <= 12 and 1 <= int(d) <= 31 and dt.date(int(y), 1, 1) <= dt.date.today()}
    for year in {int(y) for y in YEAR_ONLY.findall(row_text)}:
        day = dt.date(year, 1, 1)
        while day.year == year:
            days.add(day)
            day += dt.timedelta(days=1)
    if not days:  # nothing dated on the row: any day of a lifetime
        return 10 ** 6
    hidden_sequence = masked[14:17].count("*")
    found = 0
    for day in days:
        body = region + day.strftime("%Y%m%d")
        if any(shown != "*" and shown != real for shown, real in zip(masked[:14], body)):
            continue
        if masked[17] == "*":  # the check digit follows from the rest: one number per sequence
            found += 10 ** hidden_sequence
            continue
        for sequence in range(10 ** hidden_sequence):
            digits = masked[14:17]
            for filler in f"{sequence:0{hidden_sequence}d}" if hidden_sequence else "":
                digits = digits.replace("*", filler, 1)
            number = body + digits
            found += ric.calc_check_digit(number + "0") == masked[17].upper()
    return found


def _rows_of_html(html: str) -> list[str]:
    return re.findall(r"<tr\b.*?</tr>", html, re.S) or [html]


def _check_rows(rows, residents, where):
    """Every row showing a masked ID number leaves a resident's number one of a year's worth
    (365) of candidates at least, and shows no digit of its birth date but the year's, nor its
    check digit."""
    by_mask = {}
    for resident in residents:
        by_mask.setdefault(mask_id_number(resident.id_number), []).append(resident)
    checked = 0
    for row in rows:
        text = row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)
        for masked in MASKED_ID.findall(text):
            if "*" not in masked:
                raise AssertionError(f"a whole ID number on {where}: {masked}")
            assert set(masked[6:14] + masked[17]) == {"*"}, (where, masked)
            for resident in by_mask.get(masked, []):
                if resident.name not in text:
                    continue
                assert resident.birth_date.isoformat() not in text, (where, resident.name)
                assert _candidates(masked, resident.id_number[:6], text) >= 365, (where, resident.name, masked)
                checked += 1
    return checked


def test_no_masked_view_lets_an_id_number_be_rebuilt(app, supervisor_client, api_as):
    """The supervisor's lists, detail pages, related lists, CSV and API, row by row."""
    household = db.session.scalars(select(Household).join(Resident, Resident.household_id == Household.id)
                                   .where(Resident.id_number.is_not(None), Resident.birth_date.is_not(None))
                                   .group_by(Household.id).having(func.count(Resident.id) > 1)
                                   .order_by(Household.id)).first()
    residents = db.session.scalars(select(Resident).where(Resident.household_id == household.id)).all()
    token = api_as("supervisor")
    checked = 0
    for resident in residents:
        listing = supervisor_client.get(f"/residentview/list/?_flt_0_name={resident.name}").data.decode()
        detail = supervisor_client.get(f"/residentview/show/{resident.id}").data.decode()
        checked += _check_rows(_rows_of_html(listing), residents, "the list")
        checked += _check_rows([detail], residents, "the detail page")
        api_one = supervisor_client.get(f"/api/v1/resident/{resident.id}", headers=token).get_json()
        checked += _check_rows([api_one["result"]], residents, "the API's record")
    related = supervisor_client.get(f"/householdview/show/{household.id}").data.decode()
    checked += _check_rows(_rows_of_html(related), residents, "the household's residents")
    exported = supervisor_client.get(f"/residentview/export/?_flt_0_household={household.id}").data.decode("utf-8-sig")
    checked += _check_rows([",".join(row) for row in csv.reader(io.StringIO(exported))], residents, "the CSV")
    q = f"(filters:!((col:household,opr:rel_o_m,value:{household.id})),page_size:100)"
    api_list = supervisor_client.get(f"/api/v1/resident/?q={q}", headers=token).get_json()
    checked += _check_rows(api_list["result"], residents, "the API's list")
    assert checked >= 6 * len(residents), "every surface showed every resident of the household"


def test_no_supervisor_page_shows_a_whole_id_number_or_an_unmasked_birth_date(app, supervisor_client, api_as):
    """Every list, export and API list a supervisor may open: no ID number whole, no masked one
    with a birth-date digit or its check digit, no birth date whole; birth dates neither filtered
    nor sorted on (an oracle for the day)."""
    from app.api.base import ScopedApi
    from app.views.base import ScopedView

    numbers = set(db.session.scalars(select(Resident.id_number).where(Resident.id_number.is_not(None))))
    token = api_as("supervisor")
    pages = []
    for view in app.appbuilder.baseviews:
        if isinstance(view, ScopedView):
            pages.append((f"{view.route_base}/list/?psize_{type(view).__name__}=100", {}))
            if f"{view.endpoint}.export" in app.view_functions:
                pages.append((f"{view.route_base}/export/", {}))
        elif isinstance(view, ScopedApi):
            pages.append((f"/api/v1/{view.resource_name}/?q=(page_size:100)", token))
    seen = 0
    for url, headers in pages:
        response = supervisor_client.get(url, headers=headers)
        assert response.status_code in (200, 403), url  # a page the role may not open, or it shows
        if response.status_code == 403:
            continue
        text = response.data.decode("utf-8")
        assert not numbers & set(MASKED_ID.findall(text)), url
        for masked in MASKED_ID.findall(text):
            assert set(masked[6:14] + masked[17]) == {"*"}, (url, masked)
            seen += 1
    assert seen >= 100
    resident = db.session.scalars(select(Resident).where(Resident.birth_date.is_not(None)).order_by(Resident.id)).first()
    everyone = listed_count(supervisor_client.get("/residentview/list/").data.decode())
    day = resident.birth_date.isoformat()
    assert listed_count(supervisor_client.get(f"/residentview/list/?_flt_0_birth_date={day}").data.decode()) == everyone
    html = supervisor_client.get("/residentview/list/").data.decode()
    assert 'name="birth_date" class="filter"' not in html and "_oc_ResidentView=birth_date" not in html
    refused = supervisor_client.get(f"/api/v1/resident/?q=(filters:!((col:birth_date,opr:eq,value:'{day}')))",
                                    headers=token)
    assert refused.status_code == 400
