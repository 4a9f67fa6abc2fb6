"""Uploads on every path, screens and API alike: images over the pixel limit (decompression bombs)
are refused with a message before they are decoded, and a body over MAX_CONTENT_LENGTH answers
413 with a message (JSON on the API), nothing stored."""
import io
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CasePhoto
from test_cases import category, make_case


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` (one-bit grey; its data a few rows)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is changed to claim ``width`` × ``height``."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    frame = data.index(b"\xff\xc0")  # SOF0: marker, length, precision, height, width
    data[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


BOMBS = {
    "png-30000x30000": png_claiming(30000, 30000),  # 110 KB-class file, 900 megapixels: Pillow's error
    "png-13000x13000": png_claiming(13000, 13000),  # 169 megapixels
    "png-7000x7000": png_claiming(7000, 7000),  # 49 megapixels: over our limit, Pillow only warns
    "jpeg-60000x60000": jpeg_claiming(60000, 60000),
}


def stored_files(app) -> list[str]:
    return sorted(p.name for p in Path(app.config["UPLOAD_FOLDER"]).glob("cases/*"))


def photos() -> int:
    return db.session.scalar(select(func.count(CasePhoto.id)))


@pytest.mark.parametrize("warnings_are_errors", [False, True], ids=["default", "W-error"])
@pytest.mark.parametrize("name", list(BOMBS))
def test_the_api_refuses_an_image_over_the_pixel_limit_with_422(client, api_as, app, name, warnings_are_errors):
    case = make_case("discovered")
    files, before = stored_files(app), photos()
    with warnings.catch_warnings():
        if warnings_are_errors:
            warnings.simplefilter("error", Image.DecompressionBombWarning)
        response = client.post(f"/api/v1/case/{case.id}/photos", headers=api_as("grid1"),
                               content_type="multipart/form-data",
                               data={"photo": [(io.BytesIO(BOMBS[name]), f"{name}.png")]})
    assert response.status_code == 422
    assert f"{name}.png 超过 40 百万像素" in response.get_json()["message"]
    assert photos() == before and stored_files(app) == files


def test_the_volunteer_api_refuses_it_too(client, api_as, app):
    reported = client.post("/api/v1/report/", headers=api_as("volunteer"), json={
        "title": "井盖缺失", "category": category().id, "location": "POINT(117.0575 36.6925)"})
    assert reported.status_code == 201, reported.get_json()
    response = client.post(f"/api/v1/report/{reported.get_json()['id']}/photos", headers=api_as("volunteer"),
                           content_type="multipart/form-data",
                           data={"photo": [(io.BytesIO(BOMBS["png-30000x30000"]), "炸弹.png")]})
    assert response.status_code == 422 and "炸弹.png 超过 40 百万像素" in response.get_json()["message"]


def test_the_screens_refuse_it_with_a_message_and_keep_nothing(manager_client, volunteer_client, app):
    case = make_case("discovered")
    files, cases, before = stored_files(app), db.session.scalar(select(func.count(Case.id))), photos()
    bomb = BOMBS["png-30000x30000"]
    manager_client.post(f"/caseview/photos/{case.id}", data={"photo": (io.BytesIO(bomb), "炸弹.png")},
                        content_type="multipart/form-data")
    shown = manager_client.get(f"/caseview/show/{case.id}").data.decode()
    assert "炸弹.png 超过 40 百万像素" in shown
    form = {"title": "带附件的事件", "category": str(category().id), "source": "qq_group", "priority": "normal",
            "grid": "1", "photo": (io.BytesIO(bomb), "炸弹.png")}
    html = manager_client.post("/caseview/add", data=form, content_type="multipart/form-data").data.decode()
    assert "炸弹.png 超过 40 百万像素" in html
    report = {"title": "井盖缺失", "category": str(category().id), "location": "POINT(117.0575 36.6925)",
              "grid": "", "address": "", "photo": (io.BytesIO(bomb), "炸弹.png")}
    html = volunteer_client.post("/myreportsview/add", data=report, content_type="multipart/form-data").data.decode()
    assert "炸弹.png 超过 40 百万像素" in html
    assert db.session.scalar(select(func.count(Case.id))) == cases
    assert photos() == before and stored_files(app) == files


@pytest.fixture
def small_limit(app):
    """MAX_CONTENT_LENGTH at 1 MB, so that a body over it is cheap to send."""
    app.config["MAX_CONTENT_LENGTH"] = 1_000_000
    return b"\x00" * 1_300_000


def test_the_api_answers_413_in_json_for_a_body_over_the_limit(client, api_as, app, small_limit):
    case = make_case("discovered")
    files, before = stored_files(app), photos()
    for url, who in ((f"/api/v1/case/{case.id}/photos", "grid1"), (f"/api/v1/report/{case.id}/photos", "volunteer")):
        response = client.post(url, headers=api_as(who), content_type="multipart/form-data",
                               data={"photo": [(io.BytesIO(small_limit), "大图.jpg")]})
        assert response.status_code == 413, url
        assert "请求过大（最多 1 MB）" in response.get_json()["message"]
    response = client.post("/api/v1/case/", headers=api_as("grid1"), data=b'{"title": "' + small_limit + b'"}',
                           content_type="application/json")
    assert response.status_code == 413 and "请求过大" in response.get_json()["message"]
    assert photos() == before and stored_files(app) == files


def test_a_screen_answers_413_with_a_message_for_a_body_over_the_limit(manager_client, app, small_limit):
    case = make_case("discovered")
    response = manager_client.post(f"/caseview/photos/{case.id}", data={"photo": (io.BytesIO(small_limit), "大图.jpg")},
                                   content_type="multipart/form-data")
    assert response.status_code == 413 and "请求过大（最多 1 MB）" in response.data.decode()
    assert 'class="grid-error"' in response.data.decode()  # the app's page: its layout, a way home
    response = manager_client.post("/import/residents", data={"file": (io.BytesIO(small_limit), "台账.csv")},
                                   content_type="multipart/form-data")
    assert response.status_code == 413 and "请求过大" in response.data.decode()
