"""Loading a community's existing household/resident ledger (Excel or CSV).

Every row is checked (ID checksum, grid and building exist and are the user's, duplicates in the
file and in the database) and every problem is reported with its row and field. Nothing is written
unless every row is good — or the user asks for the good rows only. A resident already registered
with the same ID number is left as it is, so importing the same file twice changes nothing.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from ..extensions import db
from ..models import Building, Grid, Household, Resident
from ..models.choices import GENDER, POLITICAL_STATUS, RELATION_TO_HEAD, RESIDENCE_TYPE
from ..security import scope
from ..validation import FieldError, check_columns, clean_phone
from .commands import command
from .identity import normalize_identity

# column key, header in the template (Chinese, as the community's clerks write it)
COLUMNS = [("grid", "网格编号"), ("building", "楼号"), ("unit", "单元"), ("room", "房号"),
           ("residence_type", "居住类型"), ("name", "姓名"), ("gender", "性别"), ("birth_date", "出生日期"),
           ("id_number", "身份证号"), ("phone", "电话"), ("relation_to_head", "与户主关系"),
           ("political_status", "政治面貌")]
REQUIRED = ("grid", "building", "unit", "room", "name", "relation_to_head")
CODED = {"gender": GENDER, "residence_type": RESIDENCE_TYPE, "relation_to_head": RELATION_TO_HEAD,
         "political_status": POLITICAL_STATUS}
# How a workbook begins: .xlsx (a zip), or the old binary .xls.
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# A byte-order mark names its encoding; without one, UTF-8, else GB18030 (a superset of GBK: what
# Excel on Chinese Windows saves as "CSV").
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
WITHOUT_BOM = ("utf-8", "gb18030")


class UnreadableFile(ValueError):
    """A file that is not a workbook or a text ledger this can read; the message names the file and
    what to do."""


@dataclass
class Report:
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column header, message)


def template(kind: str) -> bytes:
    headers = [header for _key, header in COLUMNS]
    example = ["SYN-01", "1号楼", "1", "101", "户籍居民", "张三", "男", "1960-05-01", "", "13800000000", "户主", "群众"]
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([headers, example])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    sheet.append(example)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def decoded(data: bytes) -> str | None:
    """The text of a CSV file in whichever of its likely encodings it is; None if in none."""
    encodings = next(((encoding,) for bom, encoding in BOMS if data.startswith(bom)), WITHOUT_BOM)
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text  # NUL: binary, or UTF-16 without its mark
    return None


def _workbook_lines(data: bytes):
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    yield from sheet.iter_rows(values_only=True)


def _refusing(lines, refusal: UnreadableFile):
    """``lines``, or ``refusal`` raised if the parser fails on the way (openpyxl reads lazily and
    fails in many ways on a damaged or foreign file: a bad zip, missing parts, broken XML …)."""
    lines = iter(lines)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except Exception as error:  # whatever the parser raised, the file cannot be read
            raise refusal from error
        yield line


def _lines(data: bytes, filename: str):
    """The file's rows of cells, whatever it is; or UnreadableFile naming it."""
    name = Path(filename).name
    if data.startswith(WORKBOOK_MAGIC) or name.lower().endswith(WORKBOOK_SUFFIXES):
        return _refusing(_workbook_lines(data), UnreadableFile(_(
            "%(name)s cannot be read as an Excel workbook (.xlsx): it is another kind of file or it is "
            "damaged. Open it in Excel, save it as .xlsx (or CSV) and upload that.", name=name)))
    text_refusal = UnreadableFile(_(
        "%(name)s cannot be read as a CSV file: it is not text in UTF-8, UTF-16 or GB18030 (GBK). "
        "Save it in Excel as \"CSV UTF-8\" (or .xlsx) and upload that.", name=name))
    text = decoded(data)
    if text is None:
        raise text_refusal
    return _refusing(csv.reader(io.StringIO(text)), text_refusal)


def read_rows(data: bytes, filename: str):
    """(row number, {key: text}) from an .xlsx or a .csv (see ``decoded`` for its encodings)."""
    lines = _lines(data, filename)
    headers = [str(cell or "").strip() for cell in next(lines, [])]
    keys = {header: key for key, header in COLUMNS}
    missing = [header for key, header in COLUMNS if header not in headers and key in REQUIRED]
    if missing:
        raise ValueError(_("The file lacks the columns: %(columns)s", columns="、".join(missing)))
    for number, cells in enumerate(lines, start=2):
        row = {keys[h]: ("" if c is None else (c.isoformat()[:10] if isinstance(c, dt.datetime | dt.date) else str(c)).strip())
               for h, c in zip(headers, cells) if h in keys}
        if any(row.values()):
            yield number, row


def _code(key, text):
    choices = CODED[key]
    for code, label in choices:
        if text in (code, str(label)):
            return code
    raise FieldError(key, _("is not one of: %(values)s", values="、".join(str(label) for _c, label in choices)))


def _check(row: dict, grids: dict, buildings: dict, seen: dict, number: int):
    """A resident ready to save (with its household's address), or raise FieldError."""
    for key in REQUIRED:
        if not row.get(key):
            raise FieldError(key, _("is required"))
    grid = grids.get(row["grid"])
    if grid is None:
        raise FieldError("grid", _("no such grid among yours"))
    building = buildings.get((grid.id, row["building"]))
    if building is None:
        raise FieldError("building", _("no such building in this grid"))
    birth = None
    if row.get("birth_date"):
        try:
            birth = dt.date.fromisoformat(row["birth_date"])
        except ValueError:
            raise FieldError("birth_date", _("is not a date (YYYY-MM-DD)")) from None
    gender = _code("gender", row["gender"]) if row.get("gender") else None
    id_number, birth, gender = normalize_identity(row.get("id_number") or None, birth, gender)
    if id_number and id_number in seen:
        raise FieldError("id_number", _("also in row %(row)s", row=seen[id_number]))
    if id_number:
        seen[id_number] = number
    relation = _code("relation_to_head", row["relation_to_head"])
    if relation == "head":
        address = (building.id, row["unit"], row["room"])
        if address in seen:
            raise FieldError("relation_to_head", _("a second head of the same household (row %(row)s)",
                                                   row=seen[address]))
        seen[address] = number
        existing = db.session.scalars(select(Resident.id_number).join(Household, Household.id == Resident.household_id)
                                      .where(Household.building_id == building.id, Household.unit == row["unit"],
                                             Household.room == row["room"], Resident.relation_to_head == "head")).first()
        if existing is not None and existing != id_number:
            raise FieldError("relation_to_head", _("this household already has its head"))
    person = dict(name=row["name"], gender=gender, birth_date=birth, id_number=id_number,
                  phone=clean_phone(row["phone"]) if row.get("phone") else None, relation_to_head=relation,
                  political_status=_code("political_status", row["political_status"])
                  if row.get("political_status") else "masses")
    # The rules the columns declare (lengths, a birth date of the past …), as for every write.
    check_columns(Resident, person)
    check_columns(Household, {"unit": row["unit"], "room": row["room"]})
    return dict(building=building, unit=row["unit"], room=row["room"],
                residence_type=_code("residence_type", row["residence_type"]) if row.get("residence_type") else "registered",
                **person)


@command
def import_residents(data: bytes, filename: str, valid_only: bool = False, progress=None) -> Report:
    """Every row checked, then all of them imported (or, ``valid_only``, the good ones): committed,
    or nothing written; a bad row is reported, not imported. ValueError: the file as a whole."""
    headers = dict(COLUMNS)
    report = Report()
    grids = {grid.code: grid for grid in db.session.scalars(scope.restrict(select(Grid), Grid, "grid"))}
    buildings = {(b.grid_id, b.number): b for b in db.session.scalars(
        select(Building).where(Building.grid_id.in_([grid.id for grid in grids.values()])))}
    good, seen = [], {}
    for number, row in read_rows(data, filename):
        report.rows += 1
        try:
            good.append(_check(row, grids, buildings, seen, number))
        except FieldError as error:
            report.problems.append((number, headers.get(error.field, error.field), str(error.reason)))
        if progress:
            progress(1)
    if report.problems and not valid_only:
        return report
    for person in good:
        if person["id_number"] and db.session.scalars(
                select(Resident.id).where(Resident.id_number == person["id_number"])).first():
            report.unchanged += 1
            continue
        building = person.pop("building")
        unit, room, residence = person.pop("unit"), person.pop("room"), person.pop("residence_type")
        household = db.session.scalars(select(Household).where(
            Household.building_id == building.id, Household.unit == unit, Household.room == room)).first()
        if household is None:
            household = Household(building=building, unit=unit, room=room, residence_type=residence)
            db.session.add(household)
        db.session.add(Resident(household=household, **person))
        db.session.flush()
        report.imported += 1
    return report


def ledger_statement(grid_ids=None):
    """The user's residents in the template's columns, as shown in the CSV (labels, dates as text,
    neutralised cells), done in SQL: what the import reads back, so a ledger can travel between
    systems and back."""
    from sqlalchemy import String, and_, cast

    from .export import cell_sql, coded_sql

    text = {"grid": Grid.code, "building": Building.number, "unit": Household.unit, "room": Household.room,
            "name": Resident.name, "id_number": Resident.id_number, "phone": Resident.phone}
    shown = {**{key: cell_sql(column) for key, column in text.items()},
             **{key: coded_sql(getattr(Household if key == "residence_type" else Resident, key), choices)
                for key, choices in CODED.items()},
             "birth_date": cast(Resident.birth_date, String)}
    query = (select(*(shown[key] for key, _title in COLUMNS))
             .join(Household, Household.id == Resident.household_id)
             .join(Building, Building.id == Household.building_id)
             .join(Grid, Grid.id == Resident.grid_id)
             .order_by(Resident.household_id, Resident.id))  # the index on household_id: no sort
    query = scope.restrict(query, Resident, "grid")
    if grid_ids:
        query = query.where(and_(Resident.grid_id.in_(grid_ids)))
    return query