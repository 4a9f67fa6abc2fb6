"""Deep list pages (app/listing.py): the pagination's anchored links show exactly the rows of
FAB's numbered pages, whatever the list's order; anchors that do not fit fall back to them; counts
past the limit are PostgreSQL's estimates, shown as such; a scope holding every grid lists none."""
import html
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, DiaryEntry, Resident
from conftest import signed_in, statements

# list, its key, a page size that gives several pages of the demo
LISTS = [("ResidentView", Resident, 100), ("DiaryView", DiaryEntry, 40), ("CaseView", Case, 10)]


def rows(body: str) -> list[str]:
    return re.findall(r'name="rowid" value="(\d+)"', body) or re.findall(r'/show/(\d+)"', body)


def page_links(body: str) -> dict[str, str]:
    """The pagination's links by their text (« < 1 2 … > »)."""
    return {html.unescape(text): html.unescape(href)
            for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', body)}


def plain_page(client, view: str, page: int, size: int, extra: str = "") -> str:
    url = f"/{view.lower()}/list/?page_{view}={page}&psize_{view}={size}{extra}"
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("view, model, size", LISTS)
def test_anchored_links_show_the_numbered_pages(secretary_client, view, model, size):
    """Next, next, previous, last and previous from the last: each the same rows as FAB's OFFSET
    page of that number, for lists ordered by key ascending, descending, and by date."""
    body = plain_page(secretary_client, view, 0, size)
    total = db.session.scalar(select(func.count(model.id)))
    last = (total - 1) // size
    assert last >= 3, "the demo gives this list several pages"
    for step, expected_page in ((">", 1), (">", 2), ("<", 1), ("»", last), ("<", last - 1)):
        href = page_links(body)[step]
        assert f"anchor_{view}=" in href
        assert f"page_{view}={expected_page}" in href
        body = secretary_client.get(href).get_data(as_text=True)
        shown = rows(body)
        assert shown, (step, href)
        assert shown == rows(plain_page(secretary_client, view, expected_page, size)), (step, href)


def test_anchored_links_keep_the_filters_and_the_order(secretary_client):
    """A filtered list sorted by the user: the anchored next page is the numbered one."""
    extra = "&_flt_0_gender=female&_oc_ResidentView=birth_date&_od_ResidentView=desc"
    body = plain_page(secretary_client, "ResidentView", 0, 100, extra)
    href = page_links(body)[">"]
    assert "_flt_0_gender=female" in href and "_oc_ResidentView=birth_date" in href
    assert rows(secretary_client.get(href).get_data(as_text=True)) == \
        rows(plain_page(secretary_client, "ResidentView", 1, 100, extra))


@pytest.mark.parametrize("anchor", [
    "garbage", "0.1.25", "1.999999.999999.100.0.-",  # unreadable; too short; a row that is not there
    "1.1.100.25.0.-",  # another page size
    "1.1.100.100.0.name-asc",  # another order
    "200.1.100.100.0.-",  # too far from the page asked for
    "1.1.100.100.-",  # an older link's anchor (no count)
])
def test_an_anchor_that_does_not_fit_falls_back_to_the_numbered_page(secretary_client, anchor):
    expected = rows(plain_page(secretary_client, "ResidentView", 2, 100))
    body = plain_page(secretary_client, "ResidentView", 2, 100, f"&anchor_ResidentView={anchor}")
    assert rows(body) == expected


def test_an_anchor_never_shows_rows_outside_the_scope(client_as, app):
    """An anchor names a row by key; the page still comes through the scope and filters."""
    from app.models import Grid

    manager = client_as("grid1")
    own = set(map(str, db.session.scalars(select(Resident.id).join(Grid).where(Grid.code == "SYN-01"))))
    for other in db.session.scalars(select(Resident.id).join(Grid).where(Grid.code != "SYN-01")
                                    .order_by(Resident.id).limit(3)):
        response = manager.get(f"/residentview/list/?page_ResidentView=1&psize_ResidentView=25"
                               f"&anchor_ResidentView=0.{other}.{other}.25.0.-")
        assert response.status_code == 200
        assert set(rows(response.get_data(as_text=True))) <= own


def test_counts_past_the_limit_are_estimates_on_postgresql(app, client_as):
    app.config["GRID_EXACT_COUNT_UP_TO"] = 100
    total = db.session.scalar(select(func.count(Resident.id)))
    body = client_as("secretary").get("/residentview/list/").get_data(as_text=True)
    count = re.search(r"</strong>\s*([^<]+?)\s*</div>", body).group(1)
    if db.engine.dialect.name == "postgresql":
        assert count.startswith("约"), count  # "about …", translated
        assert int(re.sub(r"\D", "", count)) >= 100
    else:  # SQLite has no estimate: it counts
        assert count == str(total)


def test_a_scope_holding_every_grid_lists_none(app, second_community):
    """A district's office given every community: its queries carry no list of grids (cheaper,
    and PostgreSQL's estimates stay right), and read the same rows as the full list would."""
    from app.models import Community, UserScope
    from app.security import scope
    from app.security.role_names import SECRETARY

    sm = app.appbuilder.sm
    user = sm.add_user("district", "区", "职员", "district@example.invalid", sm.find_role(SECRETARY),
                       password="demo123")
    for community_id in db.session.scalars(select(Community.id)):
        db.session.add(UserScope(user_id=user.id, community_id=community_id))
    db.session.commit()
    with signed_in(app, user):
        condition = scope.clause(Resident)
        assert str(condition.compile(db.engine)).endswith("IS NOT NULL")
        listed = scope.Scope(False, scope.current().community_ids, scope.current().grid_ids)
        assert set(db.session.scalars(select(Resident.id).where(condition))) == \
            set(db.session.scalars(select(Resident.id).where(scope.clause(Resident, scope=listed))))


def test_a_long_lists_count_travels_with_its_links(app, client_as):
    """Past GRID_EXACT_COUNT_UP_TO rows counting costs more than a page: a page reached by its
    link shows the count the page before it showed, as an estimate, and counts nothing."""
    app.config["GRID_EXACT_COUNT_UP_TO"] = 100
    client = client_as("secretary")
    first = client.get("/residentview/list/").get_data(as_text=True)
    shown = re.sub(r"\D", "", re.search(r"</strong>\s*([^<]+?)\s*</div>", first).group(1))
    link = html.unescape(re.search(r'<li><a href="([^"]*page_ResidentView=1&[^"]*)">2</a>', first).group(1))
    assert f".{shown}." in link
    with statements() as seen:
        second = client.get(link).get_data(as_text=True)
    assert not [s for s in seen if "count(" in s.lower()], seen
    assert re.search(r"</strong>\s*([^<]+?)\s*</div>", second).group(1) == f"约 {int(shown):,}"
    assert len(rows(second)) == 25
    with statements() as seen:  # the last page too ("»")
        last = client.get(page_links(first)["»"]).get_data(as_text=True)
    assert not [s for s in seen if "count(" in s.lower()], seen
    assert re.search(r"</strong>\s*([^<]+?)\s*</div>", last).group(1) == f"约 {int(shown):,}"
    last_ids = rows(last)
    assert len(last_ids) == 25 and max(map(int, last_ids)) == db.session.scalar(select(func.max(Resident.id)))
