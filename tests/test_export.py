"""CSV exports: exactly the current list (filters, search, order, scope), as the user sees it
(labels, masks), safe to open in a spreadsheet, audited."""
import csv
import datetime as dt
import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Resident
from app.security.privacy import mask_id_number
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


def test_each_export_is_audited_and_volunteers_have_none(secretary_client, volunteer_client):
    exported(secretary_client, "/caseview/export/?_flt_0_stage=closed")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.username == "secretary" and entry.object_type == "case" and "closed" in entry.changes
    assert volunteer_client.get("/activityview/export/").status_code in (302, 403)


def test_the_list_offers_the_export_of_its_rows(secretary_client):
    html = secretary_client.get("/diaryview/list/?q=下水").data.decode()
    assert 'href="/diaryview/export/?q=' in html and "导出CSV" in html


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
