"""A user's permissions and scope are kept between requests (app/security/memo.py) only while the
tables they come from stand: a change through the app is seen on the very next request."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Grid, UserScope
from app.security import memo
from conftest import signed_in


def test_a_grid_given_and_taken_is_seen_on_the_next_request(app, manager_client, second_community):
    other = f"/residentview/show/{second_community['resident']}"
    assert manager_client.get(other).status_code == 404  # outside grid1's scope, and now kept
    grid1 = app.appbuilder.sm.find_user(username="grid1")
    given = UserScope(user_id=grid1.id, grid_id=second_community["grid"])
    db.session.add(given)
    db.session.commit()
    assert manager_client.get(other).status_code == 200
    db.session.delete(given)
    db.session.commit()
    assert manager_client.get(other).status_code == 404


def test_a_permission_taken_and_given_back_is_seen_on_the_next_request(app, manager_client):
    sm = app.appbuilder.sm
    role = sm.find_role("Grid Manager")
    can_list = sm.find_permission_view_menu("can_list", "ResidentView")
    in_menu = sm.find_permission_view_menu("menu_access", "Residents")
    assert manager_client.get("/residentview/list/").status_code == 200
    assert b'href="/residentview/list/"' in manager_client.get("/householdview/list/").data
    sm.del_permission_role(role, can_list)
    sm.del_permission_role(role, in_menu)
    assert manager_client.get("/residentview/list/").status_code == 403
    # The menu is kept per menu permissions (app/views/fragments.py): the entry goes with its permission.
    assert b'href="/residentview/list/"' not in manager_client.get("/householdview/list/").data
    sm.add_permission_role(role, can_list)
    sm.add_permission_role(role, in_menu)
    assert manager_client.get("/residentview/list/").status_code == 200
    assert b'href="/residentview/list/"' in manager_client.get("/householdview/list/").data


def test_nothing_is_kept_inside_a_transaction_that_has_written(app):
    made = []
    with signed_in(app, "secretary") as user:
        memo.remembered("scope", ("test",), lambda: made.append(1))
        memo.remembered("scope", ("test",), lambda: made.append(2))
        assert made == [1]  # kept
        db.session.add(UserScope(user_id=user.id, grid_id=db.session.scalar(select(func.max(Grid.id)))))
        memo.remembered("scope", ("test",), lambda: made.append(3))
        db.session.flush()
        memo.remembered("scope", ("test",), lambda: made.append(4))
        assert made == [1, 3, 4]  # counted afresh, uncommitted rows never kept
        db.session.rollback()
