"""Sessions end everywhere: a cookie or API token issued before a sign-out, a new password, a
deactivation or a role taken away opens nothing afterwards, on any device; the check costs no
query of its own."""
import pytest
from flask_appbuilder.security.sqla.models import Group, Role, User

from app.extensions import db
from conftest import login, statements

PAGE = "/residentview/list/"


def device(app, username):
    """A browser signed in as ``username``."""
    return login(app.test_client(), username)


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie (saved before a sign-out)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def tokens(app, username):
    body = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": "demo123", "provider": "db", "refresh": True}).get_json()
    return {"Authorization": f"Bearer {body['access_token']}"}, {"Authorization": f"Bearer {body['refresh_token']}"}


def signed_in(client) -> bool:
    return client.get(PAGE).status_code == 200


def api_works(app, access, refresh) -> tuple[int, int]:
    """The answers to the access token (a list) and to the refresh token (a new access token)."""
    client = app.test_client()
    return (client.get("/api/v1/resident/", headers=access).status_code,
            client.post("/api/v1/security/refresh", headers=refresh).status_code)


def user(username) -> User:
    db.session.expire_all()
    return db.session.scalars(db.select(User).where(User.username == username)).one()


def test_a_cookie_saved_before_logout_opens_nothing_after_it(app):
    browser = device(app, "grid1")
    saved = copy_of(app, browser)
    assert signed_in(saved)
    assert browser.post("/logout/").status_code == 302
    assert not signed_in(browser) and not signed_in(saved)
    assert saved.get(PAGE).status_code == 302 and "/login/" in saved.get(PAGE).headers["Location"]


def test_logout_ends_every_session_and_token_of_that_user_only(app):
    phone, desk, other = device(app, "grid1"), device(app, "grid1"), device(app, "grid2")
    access, refresh = tokens(app, "grid1")
    other_access, other_refresh = tokens(app, "grid2")
    assert api_works(app, access, refresh) == (200, 200)
    desk.post("/logout/")
    assert not signed_in(phone) and not signed_in(desk)
    assert api_works(app, access, refresh) == (401, 401)
    # Another user's sessions go on; a new sign-in works.
    assert signed_in(other) and api_works(app, other_access, other_refresh) == (200, 200)
    assert signed_in(device(app, "grid1")) and api_works(app, *tokens(app, "grid1")) == (200, 200)


def test_a_new_password_ends_the_users_sessions(app):
    browser = device(app, "grid1")
    access, refresh = tokens(app, "grid1")
    own = device(app, "grid1")  # the user changes it themselves, on FAB's own form
    assert own.post("/resetmypassword/form", data={"password": "n3w-Secret!", "conf_password": "n3w-Secret!"}
                    ).status_code == 302
    assert not signed_in(browser) and not signed_in(own)
    assert api_works(app, access, refresh) == (401, 401)
    assert signed_in(login(app.test_client(), "grid1", "n3w-Secret!"))


def test_an_admin_resetting_a_password_ends_the_users_sessions(app):
    browser = device(app, "grid1")
    admin = device(app, "admin")
    target = user("grid1")
    response = admin.post(f"/resetpassword/form?pk={target.id}", data={"password": "An0ther!", "conf_password": "An0ther!"})
    assert response.status_code == 302
    assert not signed_in(browser)
    assert signed_in(device(app, "grid2"))


def _edit_user(admin, target, **changes):
    form = {"first_name": target.first_name, "last_name": target.last_name, "username": target.username,
            "email": target.email, "roles": [str(role.id) for role in target.roles]}
    if target.active:
        form["active"] = "y"
    form.update(changes)
    if form.get("active") is None:
        form.pop("active")
    return admin.post(f"/users/edit/{target.id}", data=form)


def test_deactivating_a_user_on_the_admin_screen_ends_their_sessions(app):
    browser = device(app, "grid1")
    access, refresh = tokens(app, "grid1")
    admin = device(app, "admin")
    assert _edit_user(admin, user("grid1"), active=None).status_code == 302
    assert user("grid1").active is False
    assert not signed_in(browser) and api_works(app, access, refresh) == (401, 401)
    # Active again: the old sessions stay ended (FAB alone would let them back in).
    assert _edit_user(admin, user("grid1"), active="y").status_code == 302
    assert not signed_in(browser) and api_works(app, access, refresh) == (401, 401)
    assert signed_in(device(app, "grid1"))


def test_taking_a_role_away_ends_the_sessions_and_other_edits_do_not(app):
    browser = device(app, "supervisor")
    access, refresh = tokens(app, "supervisor")
    admin = device(app, "admin")
    target = user("supervisor")
    # A changed name, or a role given, leaves the sessions alone.
    assert _edit_user(admin, target, first_name="改名").status_code == 302
    extra = db.session.scalars(db.select(Role).where(Role.name == "Volunteer")).one()
    roles = [str(role.id) for role in user("supervisor").roles] + [str(extra.id)]
    assert _edit_user(admin, user("supervisor"), roles=roles).status_code == 302
    assert signed_in(browser) and api_works(app, access, refresh) == (200, 200)
    # Taking one away ends them.
    assert _edit_user(admin, user("supervisor"), roles=[str(extra.id)]).status_code == 302
    assert not signed_in(browser) and api_works(app, access, refresh) == (401, 401)


@pytest.mark.parametrize("change", ["role deleted", "role taken from a group", "group taken away", "group deleted"])
def test_access_lost_through_roles_and_groups_ends_sessions(app, change):
    """Whatever writes FAB's user, role and group rows (here the ORM, as a command would)."""
    target = user("volunteer")
    role = Role(name="临时角色")
    group = Group(name="临时组", label="临时组", roles=[role])
    target.groups.append(group)
    target.roles.append(role)
    db.session.add_all([role, group])
    db.session.commit()
    browser = device(app, "volunteer")  # volunteers have no resident list: their own profile page
    bystander = device(app, "grid1")
    assert browser.get("/users/userinfo/").status_code == 200
    if change == "role deleted":
        db.session.delete(role)
    elif change == "role taken from a group":
        group.roles.remove(role)
    elif change == "group taken away":
        user("volunteer").groups.clear()
    else:
        db.session.delete(group)
    db.session.commit()
    assert browser.get("/users/userinfo/").status_code == 302
    assert signed_in(bystander)


def test_the_epoch_check_costs_no_query_of_its_own(app):
    browser = device(app, "grid1")
    browser.get(PAGE)
    with statements() as seen:
        assert browser.get(PAGE).status_code == 200
    epoch_reads = [sql for sql in seen if "session_epoch" in sql]
    assert len(epoch_reads) == 1 and "ab_user" in epoch_reads[0], epoch_reads


def test_two_processes_agree_on_an_ended_session(databases, demo_template):
    """Two app instances on one database (two processes or hosts): a sign-out on one ends the
    session on the other, and a token issued by one is refused by the other."""
    from conftest import dispose, make_app

    url = databases.copy(demo_template)
    first, second = make_app(url), make_app(url)
    try:
        browser = device(first, "grid1")
        elsewhere = copy_of(second, browser)
        access, refresh = tokens(first, "grid1")
        assert signed_in(elsewhere) and api_works(second, access, refresh) == (200, 200)
        browser.post("/logout/")
        assert not signed_in(elsewhere) and api_works(second, access, refresh) == (401, 401)
    finally:
        dispose(first)
        dispose(second)
