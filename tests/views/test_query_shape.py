"""The shape of a page's queries, which decides its speed at a district's scale: a user's
permissions are read once per request (then kept while their tables stand), and a list's queries
do not grow with its rows."""
from conftest import statements


def test_permissions_are_read_once_and_then_kept(app, secretary_client):
    app.extensions.pop("grid.security_memo", None)  # as a new process
    with statements() as seen:
        assert secretary_client.get("/residentview/list/?_flt_0_grid=2").status_code == 200
    permission_reads = [s for s in seen if "ab_permission_view" in s]
    assert len(permission_reads) == 1, permission_reads
    with statements() as seen:
        assert secretary_client.get("/residentview/list/?_flt_0_grid=2").status_code == 200
    assert not [s for s in seen if "ab_permission_view" in s or "user_scope" in s]  # kept (security/memo.py)
    assert len([s for s in seen if "data_version" in s]) == 1


def test_a_lists_queries_do_not_grow_with_its_rows(secretary_client):
    """Every list, from the app's registry, at 5 rows and at 40 rows a page: the same queries."""
    from flask import current_app

    from app.views.base import ScopedView

    for view in current_app.appbuilder.baseviews:
        if not isinstance(view, ScopedView):
            continue
        name = type(view).__name__
        url = f"{view.route_base}/list/?psize_{name}="
        counts = []
        for size in (5, 40):
            with statements() as seen:
                response = secretary_client.get(url + str(size))
            if response.status_code != 200:
                break
            counts.append(len(seen))
        if len(counts) == 2:
            # Related rows come joined to the page's rows (their labels' needs too): one query
            # per row would add some. (Fewer at 40: no count when one page holds every row.)
            assert counts[1] <= counts[0], (name, counts)


def test_an_api_lists_queries_do_not_grow_with_its_rows(app, api_as):
    """Every REST API list, from the app's registry, at 5 rows and at 40 rows a page."""
    from flask import current_app

    from app.api.base import ScopedApi

    headers = api_as("secretary")
    client = app.test_client()
    checked = 0
    for api in current_app.appbuilder.baseviews:
        if not isinstance(api, ScopedApi) or not api.routed("get_list"):
            continue
        counts = []
        for size in (5, 40):
            with statements() as seen:
                response = client.get(f"/api/v1/{api.resource_name}/?q=(page:0,page_size:{size})", headers=headers)
            assert response.status_code == 200, api.resource_name
            counts.append((len(seen), len(response.get_json()["result"])))
        (small, small_rows), (large, large_rows) = counts
        if large_rows > small_rows:
            checked += 1
            assert large <= small, (api.resource_name, counts)  # related rows joined: no query per relation
    assert checked >= 10


def test_a_typed_deep_page_skips_rows_by_key_alone(secretary_client):
    """A page number without its anchor is an OFFSET: over the keys only, then the page's rows
    joined to their related rows (joined first, every skipped row was joined too)."""
    with statements() as seen:
        page = secretary_client.get("/residentview/list/?psize_ResidentView=5&page_ResidentView=40")
    assert page.status_code == 200 and page.data.count(b"/residentview/show/") == 5
    skipping = [s for s in seen if "OFFSET" in s.upper()]
    assert skipping and all("JOIN" not in s.upper() for s in skipping), skipping
