"""CSV exports: exactly the current list (filters, search, order, scope), as the user sees it
(labels, masks), safe to open in a spreadsheet, audited."""
import csv
import datetime as dt
import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Resident
from app.security.privacy import mask_id_number
from conftest import signed_in
from samples import listed_count


def exported(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff"), "UTF-8 with BOM for Excel"
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_is_the_list_with_its_filters_and_order(secretary_client):
    url = "/residentview/list/?_flt_0_grid=2&_oc_ResidentView=name&_od_ResidentView=asc"
    rows = exported(secretary_client, url.replace("/list/", "/export/"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["名称", "性别", "出生日期", "身份证号"]
    assert len(body) == listed_count(secretary_client.get(url).data.decode())
    import re
    page = secretary_client.get(url).data.decode()
    first_page = re.findall(r'<td>\s*([^<]+?)\s*</td>\s*<td>\s*[男女]\s*</td>', page)
    assert first_page and [row[0] for row in body[:len(first_page)]] == first_page  # the list's order
    expected = db.session.scalars(select(Resident.name).where(Resident.grid_id == 2)
                                  .order_by(Resident.name, Resident.id)).all()
    assert sorted(row[0] for row in body) == sorted(expected)
    assert {row[1] for row in body} <= {"男", "女"}  # labels, not codes
    assert all(len(row[2]) in (0, 10) for row in body)  # dates as YYYY-MM-DD


def test_a_grid_manager_exports_their_grid_only_and_a_supervisor_sees_masks(manager_client, supervisor_client):
    body = exported(manager_client, "/residentview/export/")[1:]
    assert len(body) == db.session.scalar(select(func.count(Resident.id)).where(Resident.grid_id == 1))
    resident = db.session.scalars(select(Resident).where(Resident.id_number.is_not(None)).order_by(Resident.id)).first()
    masked = exported(supervisor_client, f"/residentview/export/?_flt_0_name={resident.name}")
    assert any(mask_id_number(resident.id_number) in row for row in masked[1:])
    assert resident.id_number not in str(masked)
    care = exported(supervisor_client, "/householdview/export/")[0]
    assert "关怀标签" not in care


def test_cells_a_spreadsheet_would_run_are_neutralised(secretary_client):
    resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
    resident.name = "=HYPERLINK(\"http://x\")"
    resident.note = "@SUM(A1)"
    db.session.commit()
    rows = exported(secretary_client, f"/residentview/export/?_flt_0_household={resident.household_id}")
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names and not any(name.startswith("=") for name in names)


FORMULAS_BEHIND_BLANKS = [" =HYPERLINK(\"http://x\")", "\n=1+1", "\u3000=1+1", "\t=1+1", "\r\n@SUM(A1)",
                          "\u00a0+1", "\u200b=1", "\ufeff-1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",
                          " \u3000\uff1d1"]


def test_a_formula_behind_blanks_or_in_fullwidth_is_neutralised_too(secretary_client):
    """Spreadsheets skip leading blanks (of any script) and read fullwidth operators: such a cell
    is neutralised as a whole; a blank before harmless text is left alone."""
    residents = db.session.scalars(select(Resident).where(Resident.grid_id == 1).order_by(Resident.id)
                                   .limit(len(FORMULAS_BEHIND_BLANKS) + 1)).all()
    for resident, name in zip(residents, [*FORMULAS_BEHIND_BLANKS, "\u3000王五"]):
        resident.name = name
    db.session.commit()
    names = {row[0] for row in exported(secretary_client, "/residentview/export/?_flt_0_grid=1")[1:]}
    for name in FORMULAS_BEHIND_BLANKS:
        assert "'" + name in names and name not in names, repr(name)
    assert "\u3000王五" in names


def test_long_numbers_stay_text_in_a_spreadsheet_and_stay_neutral(secretary_client, supervisor_client):
    """An ID number (18 digits) or a number with a leading zero starts with a tab, which Excel and
    WPS keep as text (a bare one became 3.70112E+17, its last digits lost); masks are text anyway."""
    resident = db.session.scalars(select(Resident).where(Resident.id_number.is_not(None), Resident.grid_id == 1,
                                                         ~Resident.id_number.endswith("X")).order_by(Resident.id)).first()
    resident.phone = "053188561234"
    household = db.session.get(Household, resident.household_id)
    household.room = "0101"
    db.session.commit()
    rows = exported(secretary_client, f"/residentview/export/?_flt_0_household={resident.household_id}")
    row = next(row for row in rows[1:] if row[0] == resident.name)
    assert row[3] == "\t" + resident.id_number and row[4] == "\t053188561234"
    other_ids = [r[3] for r in rows[1:] if r[3]]
    assert all(cell.startswith("\t") or cell.endswith("X") for cell in other_ids)
    rooms = [r[2] for r in exported(secretary_client, f"/householdview/export/?_flt_0_building={household.building_id}")[1:]]
    assert "\t0101" in rooms
    masked = exported(supervisor_client, f"/residentview/export/?_flt_0_household={resident.household_id}")
    assert all(not cell.startswith("\t") for row in masked[1:] for cell in row)


def _cell_samples():
    blanks = [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u200b", "\ufeff", "\u2060"]
    starts = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "a", "1", "张", "'", "*"]
    values = [None, "", "0", "00", "0101", "1" * 11, "1" * 12, "370112199001010035", "37011219900101003X",
              "13812345678", "053188561234", "12a456789012", "１２３４５６７８９０１２", "1 2", "-12345678901234"]
    values += [blank + start + "1" for blank in blanks for start in starts]
    values += [blank * 2 + start for blank in (" ", "\n", "\u3000") for start in starts]
    values += [start + blank for blank in (" ", "\t") for start in starts]
    return values


def test_the_sql_cell_is_the_python_cell(app):
    """Exports make their cells in SQL: ``cell_sql`` is ``cell``, on this run's database."""
    from sqlalchemy import String, literal

    from app.services.export import _is_formula, cell_sql, neutral_sql

    values = _cell_samples()
    for chunk in range(0, len(values), 100):
        part = values[chunk:chunk + 100]
        row = db.session.execute(select(*[cell_sql(literal(v, String)) for v in part])).one()
        assert [("" if v is None else v) for v in row] == [cell(v) for v in part]
        neutral = db.session.execute(select(*[neutral_sql(literal(v, String)) for v in part])).one()
        assert [("" if v is None else v) for v in neutral] == [
            "" if v is None else ("'" + v if _is_formula(v) else v) for v in part]


def test_each_export_is_audited_and_volunteers_have_none(secretary_client, volunteer_client):
    exported(secretary_client, "/caseview/export/?_flt_0_stage=closed")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.username == "secretary" and entry.object_type == "case" and "closed" in entry.changes
    assert volunteer_client.get("/activityview/export/").status_code in (302, 403)


def test_the_list_offers_the_export_of_its_rows_to_those_who_may(secretary_client, volunteer_client):
    html = secretary_client.get("/diaryview/list/?q=下水").data.decode()
    assert 'href="/diaryview/export/?q=' in html and "导出CSV" in html
    html = volunteer_client.get("/activityview/list/").data.decode()
    assert "活动" in html and "导出CSV" not in html  # volunteers list activities but export nothing


def test_the_monthly_pack_holds_the_months_figures(secretary_client, tmp_path, app):
    import zipfile

    from app.models import DiaryEntry
    from app.timekeeping import local_today

    month = local_today().replace(day=1) - dt.timedelta(days=1)
    month = month.strftime("%Y-%m")
    response = secretary_client.get(f"/export/monthly?month={month}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["00_README.csv", "01_population_by_grid.csv", "02_cases.csv",
                                          "03_aid_moves.csv", "04_diary_by_category.csv", "05_volunteer_activities.csv"]
    readme = archive.read("00_README.csv").decode("utf-8-sig")
    assert "桑园南社区" in readme and month in readme
    population = list(csv.reader(io.StringIO(archive.read("01_population_by_grid.csv").decode("utf-8-sig"))))
    assert sum(int(row[3]) for row in population[1:]) == db.session.scalar(select(func.count(Resident.id)))
    diary = list(csv.reader(io.StringIO(archive.read("04_diary_by_category.csv").decode("utf-8-sig"))))
    start = dt.date.fromisoformat(month + "-01")
    end = (start + dt.timedelta(days=32)).replace(day=1)
    assert sum(int(row[1]) for row in diary[1:]) == db.session.scalar(select(func.count(DiaryEntry.id)).where(
        DiaryEntry.entry_on >= start, DiaryEntry.entry_on < end))
    assert secretary_client.get("/export/monthly?month=2026-13").status_code == 302
    result = app.test_cli_runner().invoke(args=["export", "monthly", "--month", month, "--out",
                                                str(tmp_path / "pack.zip")])
    assert result.exit_code == 0 and zipfile.ZipFile(tmp_path / "pack.zip").namelist()


# -- every list's export equals the list, however it is computed -------------------------------------
from app.models.labels import LABELLED, labels  # noqa: E402
from app.services.export import cell  # noqa: E402
from app.views.base import ScopedView  # noqa: E402


def _list_as_the_orm_shows_it(app, username, view, query_string=""):
    """The reference: FAB's own list query, ORM objects, the view's formatters (as the list page
    renders them), every cell through ``cell``; what the SQL export must reproduce."""
    from app.security import privacy

    with signed_in(app, username, f"{view.route_base}/export/?{query_string}"):
        columns = [col for col in view.list_columns if col not in privacy.hidden_columns()]
        _search, filters, order_column, order_direction = view._requested_list()
        if not order_column and view.base_order:
            order_column, order_direction = view.base_order
        _count, items = view.datamodel.query(filters.get_joined_filters(view._base_filters),
                                             order_column, order_direction)
        rows = []
        for item in items:
            values = view.datamodel.get_values_item(item, columns)
            row = []
            for column, value in zip(columns, values):
                formatter = view.formatters_columns.get(column)
                if isinstance(value, bool) and formatter is None:
                    value = "是" if value else "否"
                row.append(cell(formatter(value) if formatter else value))
            rows.append(row)
        db.session.rollback()
        return rows


def _exportable_views(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    return [view for view in app.appbuilder.baseviews
            if isinstance(view, ScopedView) and f"{view.endpoint}.export" in endpoints]


def test_every_lists_export_is_the_list_as_shown_for_each_role(app, client_as):
    """Built from the app's registry: a list added later is held to the same rule."""
    views = _exportable_views(app)
    assert len(views) >= 20
    for username in ("secretary", "grid1", "supervisor"):
        client = client_as(username)
        for view in views:
            response = client.get(f"{view.route_base}/export/")
            if response.status_code != 200:
                assert response.status_code in (302, 403), (view.route_base, response.status_code)
                continue
            text = response.data.decode("utf-8")
            body = list(csv.reader(io.StringIO(text[1:])))[1:]
            assert body == _list_as_the_orm_shows_it(app, username, view), (username, view.route_base)


def test_filtered_and_sorted_exports_match_the_list(app, secretary_client, supervisor_client):
    views = {type(view).__name__: view for view in _exportable_views(app)}
    cases = [("secretary", "ResidentView", "_flt_0_grid=3&_flt_0_gender=female&_oc_ResidentView=birth_date&_od_ResidentView=desc"),
             ("supervisor", "HouseholdView", "_flt_0_building=5&_oc_HouseholdView=room&_od_HouseholdView=asc"),
             ("secretary", "CaseView", "_flt_0_stage=closed&_oc_CaseView=due_on&_od_CaseView=asc"),
             ("secretary", "DiaryView", "q=下水道"),
             ("supervisor", "VoucherView", "_flt_0_kind=distribution")]
    clients = {"secretary": secretary_client, "supervisor": supervisor_client}
    for username, name, query in cases:
        view = views[name]
        text = clients[username].get(f"{view.route_base}/export/?{query}").data.decode("utf-8")
        body = list(csv.reader(io.StringIO(text[1:])))[1:]
        expected = _list_as_the_orm_shows_it(app, username, view, query)
        assert body and body == expected, (name, query)


def test_each_sql_label_is_what_the_row_calls_itself(app):
    from app.models import Building, Household, Voucher

    # Edge cases of the labels: a building without a compound, a household without a head, a
    # voucher not yet numbered.
    building = db.session.scalars(select(Building).order_by(Building.id)).first()
    building.compound = None
    household = db.session.scalars(select(Household).where(Household.building_id != building.id)
                                   .order_by(Household.id)).first()
    for resident in household.residents:
        if resident.relation_to_head == "head":
            resident.relation_to_head = "other"
    db.session.add(Voucher(kind="donation", status="proposed", community_id=building.grid.community_id,
                           dated=dt.date(2026, 1, 5), amount_fen=100))
    db.session.flush()
    assert db.session.scalar(select(func.count(Voucher.id)).where(Voucher.number.is_(None)))
    db.session.expire_all()  # the household's head name is computed on load
    for model in LABELLED:
        shown = dict(db.session.execute(labels(model)).all())
        assert shown, model.__name__
        objects = db.session.scalars(select(model).where(model.id.in_(list(shown)))).all()
        assert {obj.id: str(obj) for obj in objects} == shown, model.__name__
    db.session.rollback()


# -- the CSV's bytes, whichever way they are made ---------------------------------------------------
import pytest  # noqa: E402

from app.models import Building, Household  # noqa: E402


def _awkward_cells():
    """Cells a CSV writer must quote, leave empty or neutralise, in the first rows of every list
    that shows residents, households or buildings."""
    residents = db.session.scalars(select(Resident).order_by(Resident.id).limit(6)).all()
    for resident, name in zip(residents, ["张,三", 'say "hi"', "两\n行", "回\r车", " 空格 ", "=1+2"]):
        resident.name = name
    residents[0].phone = ""
    residents[1].note = ""
    household = db.session.get(Household, residents[2].household_id)
    household.room = '1"0,1'
    building = db.session.get(Building, household.building_id)
    building.compound = ""
    db.session.commit()


def _export_bytes(app, username, view, copy):
    """The export of ``view`` as ``username`` gets it, made by COPY (where it applies) or by the
    cursor and Python's csv writer."""
    from app.security import privacy
    from app.services import export
    from app.views import exporting

    with signed_in(app, username, f"{view.route_base}/export/"):
        columns = [col for col in view.list_columns if col not in privacy.hidden_columns()]
        statement, converters = exporting.plan(view, columns)
        copied = export._copyable(statement, converters)
        chunks = export.stream_query([str(view.label_columns.get(c, c)) for c in columns], statement, converters,
                                     copy=copy)
        data = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks)
        db.session.rollback()
    return data, copied


@pytest.mark.postgis
def test_postgresql_copy_writes_the_bytes_python_would(app):
    """On PostgreSQL a list whose cells are all made in SQL is exported by COPY: its file is the
    cursor path's to the byte (CRLF rows, quoting, empty cells, neutralising, masks), for every
    list and role."""
    _awkward_cells()
    views, copied = _exportable_views(app), set()
    for username in ("secretary", "grid1", "supervisor"):
        for view in views:
            by_copy, was_copied = _export_bytes(app, username, view, copy=True)
            by_cursor, _ = _export_bytes(app, username, view, copy=False)
            assert by_copy == by_cursor, (username, view.route_base)
            if was_copied:
                copied.add((username, type(view).__name__))
    assert {("secretary", "ResidentView"), ("supervisor", "ResidentView"), ("supervisor", "HouseholdView"),
            ("secretary", "BuildingView")} <= copied


def test_the_csv_is_what_a_spreadsheet_expects(app, secretary_client, supervisor_client):
    """RFC 4180 as Excel reads it, on either database: rows end with CRLF; a cell with a comma,
    quote or line break is quoted (quotes doubled, the line break kept inside); an empty value
    is an empty cell; a formula is neutralised; masks in the supervisor's."""
    _awkward_cells()
    resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
    raw = secretary_client.get(f"/residentview/export/?_flt_0_grid={resident.grid_id}").data
    assert raw.startswith("\ufeff".encode()) and raw.endswith(b"\r\n")
    text = raw.decode("utf-8")[1:]
    assert text.count("\r\n") == len(list(csv.reader(io.StringIO(text))))  # every row, and only rows
    for cell_text in ['"张,三"', '"say ""hi"""', '"两\n行"', '"回\r车"', "\r\n'=1+2,", "\r\n 空格 ,"]:
        assert cell_text in text, cell_text
    first = text.split("\r\n")[1]
    assert first.startswith('"张,三",') and ",," in first  # the empty phone: nothing between commas
    masked = supervisor_client.get(f"/residentview/export/?_flt_0_grid={resident.grid_id}").data.decode("utf-8")
    assert masked.count("\r\n") == text.count("\r\n") and '"张,三"' in masked


def test_an_export_left_half_read_leaves_the_database_usable(secretary_client):
    """A browser that stops the download: the stream is closed mid-way (COPY cancelled on
    PostgreSQL) and the next export on the same pool is whole."""
    whole = secretary_client.get("/residentview/export/").data
    response = secretary_client.get("/residentview/export/", buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)
    response.close()
    assert secretary_client.get("/residentview/export/").data == whole
