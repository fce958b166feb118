"""Staff accounts: administrators add and change them everywhere; each change is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.accounts.models import Role, Team, User
from kehu.accounts.users import UserChanges, user_create, user_set_password, user_update
from kehu.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_administrator_adds_an_account_that_can_sign_in(admin, north, client):
    user, password = user_create(actor=admin, username="wang.fang", role=Role.SALES, team=north, display_name="王芳")
    assert user.team == north and user.check_password(password) and len(password) >= 16
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == admin and event.changes["role"] == "sales" and password not in str(event.changes)
    assert client.login(username="wang.fang", password=password)


def test_role_team_and_deactivation_are_audited_and_end_access(admin, sales, south, client):
    client.force_login(sales)
    assert client.get("/customers/").status_code == 200
    user_update(actor=admin, user=sales, changes=UserChanges(role=Role.SERVICE, team=south))
    user_update(actor=admin, user=sales, changes=UserChanges(is_active=False))
    moves = [e.changes for e in AuditEvent.objects.filter(action="user.update").order_by("id")]
    assert moves[0]["role"] == ["sales", "service"] and moves[0]["team_id"][1] == south.pk
    assert moves[1] == {"is_active": [True, False]}
    assert client.get("/customers/").status_code == 302  # the open session no longer signs them in


def test_new_password_ends_other_sessions(admin, sales, client):
    client.force_login(sales)
    password = user_set_password(actor=admin, user=sales)
    assert client.get("/customers/").status_code == 302
    sales.refresh_from_db()
    assert sales.check_password(password) and not sales.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(sales.pk)).exists()


def test_rules_hold_and_bad_input_changes_nothing(admin, manager, sales):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        user_create(actor=manager, username="x1", role=Role.SALES)
    with pytest.raises(ValidationError) as taken:
        user_create(actor=admin, username="sales", role=Role.SALES)
    assert "username" in taken.value.message_dict
    with pytest.raises(ValidationError) as weak:
        user_create(actor=admin, username="x2", role=Role.SALES, password="password1")
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError):
        user_create(actor=admin, username="x3", role="boss")
    with pytest.raises(ValidationError) as last:
        user_update(actor=admin, user=admin, changes=UserChanges(role=Role.SALES))
    assert "last active administrator" in str(last.value)
    with pytest.raises(ValidationError):
        user_update(actor=admin, user=admin, changes=UserChanges(is_active=False))
    assert not User.objects.filter(username__in=["x1", "x2", "x3"]).exists()
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR and admin.is_active
    assert AuditEvent.objects.count() == before


def test_staff_page(client, admin, sales, north):
    client.force_login(admin)
    page = client.get("/settings/users/")
    assert page.status_code == 200 and "sales" in page.content.decode()
    created = client.post("/settings/users/", {"username": "li.lei", "role": "service", "team": north.pk})
    assert created.status_code == 200 and "li.lei" in created.content.decode()
    shown = created.context["password"]
    assert User.objects.get(username="li.lei").check_password(shown)
    again = client.post("/settings/users/", {"username": "li.lei", "role": "service"})
    assert again.status_code == 400 and User.objects.filter(username="li.lei").count() == 1
    edit = client.post(f"/settings/users/{sales.pk}/", {"role": "analyst", "team": "", "is_active": "on"})
    assert edit.status_code == 302
    sales.refresh_from_db()
    assert sales.role == "analyst" and sales.team is None and sales.is_active
    reset = client.post(f"/settings/users/{sales.pk}/password/")
    assert reset.status_code == 200 and reset.context["password"]


@pytest.mark.parametrize("persona", ["manager", "sales", "analyst", "auditor"])
def test_only_administrators_reach_the_staff_page_and_api(client, persona, request, sales):
    client.force_login(request.getfixturevalue(persona))
    for method, url in (("get", "/settings/users/"), ("post", "/settings/users/"), ("get", f"/settings/users/{sales.pk}/"),
                        ("post", f"/settings/users/{sales.pk}/password/"), ("get", "/api/users"),
                        ("patch", f"/api/users/{sales.pk}"), ("post", f"/api/users/{sales.pk}/password")):
        response = client.generic(method.upper(), url, "{}", content_type="application/json")
        assert response.status_code == 403, f"{method} {url}"


def test_api(client, admin, sales, south):
    client.force_login(admin)
    listed = client.get("/api/users").json()
    assert {"admin", "sales"} <= {u["username"] for u in listed}
    created = client.post("/api/users", {"username": "zhao.min", "role": "sales", "team_id": south.pk},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["user"]["team_id"] == south.pk
    assert User.objects.get(username="zhao.min").check_password(created.json()["password"])
    bad = client.post("/api/users", {"username": "q", "role": "sales", "team_id": 999999}, content_type="application/json")
    assert bad.status_code == 422 and not User.objects.filter(username="q").exists()
    patched = client.patch(f"/api/users/{sales.pk}", {"is_active": False, "team_id": 0}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False and patched.json()["team_id"] is None
    assert client.patch("/api/users/987654", {}, content_type="application/json").status_code == 404
    assert client.post(f"/api/users/{sales.pk}/password").json()["password"]


def test_command(admin, capsys):
    call_command("user", "add", "chen.jing", "--role", "sales", "--team", "华东销售组")
    out = capsys.readouterr().out
    assert "Created chen.jing (sales)" in out
    user = User.objects.get(username="chen.jing")
    assert user.team == Team.objects.get(name="华东销售组") and user.check_password(out.rsplit(" ", 1)[-1].strip())
    call_command("user", "set", "chen.jing", "--inactive", "--no-team")
    user.refresh_from_db()
    assert not user.is_active and user.team is None
    call_command("user", "list")
    assert "chen.jing\tsales\t—\tinactive" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No user"):
        call_command("user", "set", "nobody", "--active")
    with pytest.raises(CommandError, match="username"):
        call_command("user", "add", "chen.jing", "--role", "sales")
