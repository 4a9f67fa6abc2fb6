"""Field rules: ID numbers (GB 11643), phones, colours, geometry."""
import datetime as dt

import pytest
from stdnum.cn import ric

from app.services.identity import normalize_identity
from app.validation import (FieldError, clean_colour, clean_id_number, clean_phone, id_birth_date,
                            id_gender, parse_geometry)

pytestmark = pytest.mark.engine_independent  # pure functions of text


def make_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")  # stdnum expects a full-length number


def test_valid_id_number_is_accepted_and_upper_cased():
    assert clean_id_number("11010519491231002x") == "11010519491231002X"
    assert clean_id_number(" 110105194912310029 ".replace("9 ", "X ").strip()) == "11010519491231002X"


@pytest.mark.parametrize("number, reason", [
    ("110105194912310021", "check digit"),          # last digit should be X
    ("11010519491231002", "18"),                    # too short
    ("1101051949123100211", "18"),                  # too long
    (make_id("11010519491331002"), "birth date"),   # month 13, correct check digit
    (make_id("99010519491231002"), "region"),       # no province 99
    ("11010519491231002Y", "not a valid"),
])
def test_bad_id_numbers_name_the_field_and_the_reason(number, reason):
    with pytest.raises(FieldError) as error:
        clean_id_number(number)
    assert error.value.field == "id_number"
    assert reason in error.value.reason


def test_x_check_digit_is_computed_not_assumed():
    numbers = [make_id(f"370112198001{day:02d}00{seq}") for day in range(1, 29) for seq in range(10)]
    with_x = [n for n in numbers if n.endswith("X")]
    assert with_x, "some of 280 numbers end in X"
    for number in with_x:
        assert clean_id_number(number.lower()) == number
        wrong = number[:-1] + "0"
        with pytest.raises(FieldError):
            clean_id_number(wrong)


def test_birth_date_and_gender_come_from_the_id_number():
    male = make_id("37011219850315001")   # 17th digit 1: odd, male
    female = make_id("37011219850315002")
    assert id_birth_date(male) == dt.date(1985, 3, 15)
    assert (id_gender(male), id_gender(female)) == ("male", "female")
    assert normalize_identity(female, None, None) == (female, dt.date(1985, 3, 15), "female")


def test_entered_birth_date_or_gender_that_disagree_are_refused():
    number = make_id("37011219850315001")
    with pytest.raises(FieldError) as error:
        normalize_identity(number, dt.date(1985, 3, 16), "male")
    assert error.value.field == "birth_date" and "1985-03-15" in error.value.reason
    with pytest.raises(FieldError) as error:
        normalize_identity(number, None, "female")
    assert error.value.field == "gender"


def test_without_id_number_gender_is_required():
    with pytest.raises(FieldError) as error:
        normalize_identity(None, dt.date(2000, 1, 1), None)
    assert error.value.field == "gender"
    assert normalize_identity("", None, "male") == (None, None, "male")


@pytest.mark.parametrize("raw, clean", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("0531-88123456", "053188123456"),
])
def test_valid_phones_are_normalised(raw, clean):
    assert clean_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abc", "0531-123"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(FieldError) as error:
        clean_phone(raw)
    assert error.value.field == "phone"


def test_colour():
    assert clean_colour("#1F77B4") == "#1f77b4"
    with pytest.raises(FieldError):
        clean_colour("red")


def test_geometry_from_wkt_and_geojson():
    square = "POLYGON((117 36, 117.001 36, 117.001 36.001, 117 36.001, 117 36))"
    assert parse_geometry(square, "POLYGON").area > 0
    point = parse_geometry('{"type": "Point", "coordinates": [117.06, 36.69]}', "POINT")
    assert (point.x, point.y) == (117.06, 36.69)
    feature = '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}'
    assert parse_geometry(feature, "POINT").x == 1


@pytest.mark.parametrize("text", [
    "117.0568 36.6934",          # longitude latitude, as WKT orders them
    "36.6934,117.0568",          # latitude,longitude, as a map app copies them
    "36.6934, 117.0568",
    "117.0568,36.6934",          # a longitude is over 90: the order does not matter
    "36.6934 117.0568",
    "36.6934，117.0568",          # a full-width comma, as a Chinese keyboard types it
    " POINT(117.0568 36.6934) ",
    '{"type": "Point", "coordinates": [117.0568, 36.6934]}',
    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [117.0568, 36.6934]}}',
])
def test_a_point_is_read_from_every_way_it_is_given(text):
    point = parse_geometry(text, "POINT")
    assert (point.x, point.y) == (117.0568, 36.6934)


def test_two_small_numbers_are_ordered_by_their_separator():
    """Near the meridian either could be the latitude: a space is WKT's order, a comma a map app's."""
    assert parse_geometry("10.5 20.25", "POINT").coords[0] == (10.5, 20.25)
    assert parse_geometry("10.5,20.25", "POINT").coords[0] == (20.25, 10.5)
    assert parse_geometry("-33.9,-70.6", "POINT").coords[0] == (-70.6, -33.9)


@pytest.mark.parametrize("text, geom_type, reason", [
    ("POINT(117 36)", "POLYGON", "must be a POLYGON"),
    ("POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))", "POLYGON", "not valid"),   # bow-tie
    ("POINT(300 36)", "POINT", "longitude/latitude"),
    ("not a shape", "POLYGON", "neither WKT nor GeoJSON"),
    ("not a shape", "POINT", "is not a place"),
    ("117.0568", "POINT", "is not a place"),              # one number
    ("117.0568 36.6934 12", "POINT", "is not a place"),   # three
    ("117.0568 200", "POINT", "longitude/latitude"),      # both beyond ±90: no latitude
    ("117.0568 36.6934", "POLYGON", "neither WKT nor GeoJSON"),  # two numbers are a point only
])
def test_bad_geometry_is_refused_with_a_reason(text, geom_type, reason):
    with pytest.raises(FieldError) as error:
        parse_geometry(text, geom_type)
    assert reason in error.value.reason
