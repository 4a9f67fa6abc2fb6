"""Loading an existing ledger: every bad row explained, nothing half-imported, re-import changes nothing."""
import codecs
import csv
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Resident
from samples import valid_id

HEADER = ["网格编号", "楼号", "单元", "房号", "居住类型", "姓名", "性别", "出生日期", "身份证号", "电话", "与户主关系", "政治面貌"]
GOOD = [
    ["SYN-01", "1号楼", "9", "901", "户籍居民", "导入户主", "", "", valid_id("37011219600501001"), "13800000001", "户主", "中共党员"],
    ["SYN-01", "1号楼", "9", "901", "户籍居民", "导入配偶", "女", "1962-03-04", "", "", "配偶", "群众"],
]


def as_csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(rows):
    book = Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data, name, valid_only=False):
    form = {"file": (io.BytesIO(data), name)}
    if valid_only:
        form["valid_only"] = "y"
    return client.post("/import/residents", data=form, content_type="multipart/form-data").data.decode()


def residents():
    return db.session.scalar(select(func.count(Resident.id)))


def test_a_good_ledger_is_imported_and_importing_it_again_changes_nothing(manager_client):
    before = residents()
    html = upload(manager_client, as_xlsx(GOOD), "台账.xlsx")
    assert "导入 2 位居民" in html and residents() == before + 2
    head = db.session.scalars(select(Resident).where(Resident.name == "导入户主")).one()
    assert (head.gender, str(head.birth_date), head.grid_id, head.political_status) == ("male", "1960-05-01", 1,
                                                                                        "party_member")
    household = db.session.get(Household, head.household_id)
    assert (household.unit, household.room, household.building.number) == ("9", "901", "1号楼")
    html = upload(manager_client, as_csv(GOOD[:1]), "台账.csv")
    assert "1 位已登记" in html and residents() == before + 2


def test_every_bad_row_is_explained_and_nothing_is_imported(manager_client):
    before = residents()
    bad = [
        ["SYN-01", "1号楼", "9", "902", "户籍居民", "校验错", "", "", "370112196005010011", "", "户主", "群众"],
        ["SYN-02", "15号楼", "1", "101", "户籍居民", "别的网格", "男", "", "", "", "户主", "群众"],
        ["SYN-01", "99号楼", "1", "101", "户籍居民", "没这楼", "男", "", "", "", "户主", "群众"],
        ["SYN-01", "1号楼", "9", "903", "户籍居民", "", "男", "", "", "", "户主", "群众"],
        ["SYN-01", "1号楼", "9", "904", "户籍居民", "重复号", "", "", GOOD[0][8], "", "户主", "群众"],
        ["SYN-01", "1号楼", "9", "905", "户籍居民", "关系错", "男", "", "", "", "表亲", "群众"],
    ]
    html = upload(manager_client, as_csv([GOOD[0], *bad]), "bad.csv")
    assert residents() == before and "未导入任何数据" in html
    problems = [(int(row), column) for row, column in
                re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", html)]
    assert problems == [(3, "身份证号"), (4, "网格编号"), (5, "楼号"), (6, "姓名"), (7, "身份证号"), (8, "与户主关系")]


def test_the_good_rows_only_when_asked(manager_client):
    before = residents()
    bad = ["SYN-01", "99号楼", "1", "101", "户籍居民", "没这楼", "男", "", "", "", "户主", "群众"]
    html = upload(manager_client, as_csv([*GOOD, bad]), "mixed.csv", valid_only=True)
    assert residents() == before + 2 and "1 行有问题" in html


def test_the_templates_and_the_command(app, tmp_path, client_as):
    secretary = client_as("secretary")
    for kind in ("xlsx", "csv"):
        response = secretary.get(f"/import/template.{kind}")
        assert response.status_code == 200 and len(response.data) > 100
    path = tmp_path / "ledger.csv"
    path.write_bytes(as_csv(GOOD))
    result = app.test_cli_runner().invoke(args=["import", "residents", str(path)])
    assert result.exit_code == 0 and "2 imported" in result.output
    path.write_bytes(as_csv([["SYN-01", "99号楼", "1", "1", "", "无楼", "男", "", "", "", "户主", ""]]))
    result = app.test_cli_runner().invoke(args=["import", "residents", str(path)])
    assert result.exit_code == 1 and "row 2 楼号" in result.output
    assert client_as("supervisor").get("/import/residents").status_code in (302, 403)


def test_export_then_import_reproduces_the_same_residents(manager_client):
    from sqlalchemy import delete

    from app.models import Building

    def ledger():
        rows = db.session.execute(select(
            Resident.name, Resident.gender, Resident.birth_date, Resident.id_number, Resident.phone,
            Resident.relation_to_head, Resident.political_status, Building.number, Household.unit, Household.room)
            .join(Household, Household.id == Resident.household_id).join(Building, Building.id == Household.building_id)
            .where(Resident.grid_id == 1)).all()
        return sorted(tuple(str(value) for value in row) for row in rows)

    before = ledger()
    exported = manager_client.get("/import/ledger.csv").data
    assert exported.startswith("\ufeff".encode()) and len(exported.decode().splitlines()) == len(before) + 1
    db.session.execute(delete(Resident).where(Resident.grid_id == 1))
    db.session.commit()
    assert ledger() == []
    html = upload(manager_client, exported, "ledger.csv")
    assert f"导入 {len(before)} 位居民" in html
    assert ledger() == before


def test_the_export_benchmark_command_prints_its_figures(tmp_path):
    """A command that prints figures; here it only has to run, on a small dataset."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    from conftest import BACKEND

    if BACKEND != "sqlite":
        pytest.skip("the benchmark builds its own database; the SQLite run covers the command")
    env = {**os.environ, "GRID_INSTANCE_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "benchmarks.export", "--residents", "12000", "9500"],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    # residents, path, user, rows, rows/s, then first byte, first row, CPU s, peak MB, RSS MB
    measured = re.findall(r"^\s*([\d,]+)\s+(ledger|list export)\s+(\w+)\s+([\d,]+)\s+[\d,]+(?:\s+-?[\d.]+){5}$",
                          result.stdout, re.M)
    # Each size, each path and user, every resident exported once.
    assert sorted((size, path, user) for size, path, user, _rows in measured) == sorted(
        (size, path, user) for size in ("9,500", "12,000")
        for path, user in (("ledger", "secretary"), ("list export", "secretary"), ("list export", "supervisor")))
    assert all(size == rows for size, _path, _user, rows in measured), result.stdout


def zipped(**members) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", "/"), text)
    return out.getvalue()


UNREADABLE = [
    (b"just some text, not a workbook", "台账.xlsx"),
    (as_xlsx(GOOD)[:1500], "截断的台账.xlsx"),  # a download cut short: a zip without its directory
    (zipped(hello_txt="a zip, but no workbook in it"), "压缩包.xlsx"),
    (zipped(**{"xl__workbook.xml": "<workbook", "[Content_Types].xml": "<Types"}), "坏工作簿.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "旧版台账.xls"),
    (b"\x81\x30\xff\xfe\x80" * 50, "乱码台账.csv"),  # neither UTF-8 nor GB18030
    (bytes(range(256)) * 8, "二进制.csv"),
]


@pytest.mark.parametrize("data, name", UNREADABLE, ids=[name for _data, name in UNREADABLE])
def test_a_file_that_cannot_be_read_is_refused_naming_it_and_nothing_is_imported(manager_client, data, name):
    before = residents()
    form = {"file": (io.BytesIO(data), name)}
    response = manager_client.post("/import/residents", data=form, content_type="multipart/form-data")
    html = response.data.decode()
    assert response.status_code == 422
    message = re.search(r'<div class="alert alert-danger">([^<]*)</div>', html).group(1)
    assert "无法读取" in message and name in message and "另存为" in message
    assert residents() == before


# encoding, how the file's bytes are made, a name it can carry (GB18030 has characters GBK has not)
ENCODED = [
    ("gbk", lambda text: text.encode("gbk"), "导入张丽"),
    ("gb18030", lambda text: text.encode("gb18030"), "导入刘䶮"),
    ("utf-16-le-bom", lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "导入刘䶮"),
    ("utf-16-be-bom", lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "导入刘䶮"),
    ("utf-8-no-bom", lambda text: text.encode("utf-8"), "导入刘䶮"),
]


@pytest.mark.parametrize("encode, name", [(encode, name) for _e, encode, name in ENCODED],
                         ids=[encoding for encoding, *_rest in ENCODED])
def test_csvs_in_the_encodings_excel_saves_are_read(manager_client, encode, name):
    rows = [GOOD[0], [*GOOD[1][:5], name, *GOOD[1][6:]]]
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    before = residents()
    html = upload(manager_client, encode(out.getvalue()), "台账.csv")
    assert "导入 2 位居民" in html and residents() == before + 2
    assert db.session.scalars(select(Resident).where(Resident.name == name)).one()


def test_the_command_refuses_an_unreadable_file_in_one_line(app, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"not a workbook")
    before = residents()
    result = app.test_cli_runner().invoke(args=["import", "residents", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "台账.xlsx" in errors[0] and "无法读取" in errors[0]
    assert residents() == before
