"""The permission table covers every request the gateways send, and agrees with the sandbox.

Each gateway method is driven once against httpx.MockTransport; every request it sends must
match a row's call. A new gateway method without a driver here fails the completeness test.
"""

from __future__ import annotations

import inspect
import itertools
import json
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from azure.core.credentials import AccessToken

from localdev.tenant import graph as sandbox_graph
from remediation import permissions
from remediation.gateways.exchange import ExchangeAdminClient
from remediation.gateways.exchange_rbac import ExchangeRbac
from remediation.gateways.graph import GraphDirectory
from remediation.gateways.graph_errors import PERMISSIONS as GRAPH_ERROR_PERMISSIONS
from remediation.gateways.management_api import ManagementActivityClient
from remediation.gateways.tenant_grants import TenantGraph
from remediation.permissions import SETUP_TABLE, TABLE, needed
from remediation.settings import Settings
from remediation.tenant import CLOSED_CAS, FULL_ACCESS, SEND_AS, AuthMethod, Delegate, MailboxForwarding
from remediation.tenant_apps import PermissionGrant
from tests.plugins.gateways import TENANT

SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)
FEED = f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/audit/abc"
DRIVERS = {
    GraphDirectory: {
        "get_user": ("u",), "domains": (), "reset_password": ("u", "not-logged"), "revoke_sessions": ("u",),
        "disable_account": ("u",), "member_of": ("u", ["g"]), "inbox_rules": ("u",),
        "disable_inbox_rule": ("u", "r"), "auth_methods": ("u",), "send_mail": ("s", ["r"], "x", "y"),
        "security_alerts": (SINCE, "microsoftDefenderForOffice365"),
        "delete_auth_method": ("u", AuthMethod("m", "phone")), "permission_grants": ("u",),
        "consented_app": ("sp",), "delete_permission_grant": ("g",),
        "create_permission_grant": (PermissionGrant("g", "c", "Principal", "u", "r", "Mail.Read"),), "confirm_compromised": ("u",),
        "sign_ins": ("u", SINCE),
    },
    ExchangeAdminClient: {
        "blocked_senders": (), "unblock": ("u@contoso.com",), "mailbox_forwarding": ("u@contoso.com",),
        "clear_mailbox_forwarding": ("u@contoso.com",), "inbox_rules": ("u@contoso.com",),
        "disable_inbox_rule": ("u@contoso.com", "r"), "invoke": ("Get-BlockedSenderAddress", {}),
        "cas_settings": ("u@contoso.com",), "set_cas_settings": ("u@contoso.com", CLOSED_CAS),
        "delegates": ("u@contoso.com",), "enable_inbox_rule": ("u@contoso.com", "r"),
        "set_mailbox_forwarding": ("u@contoso.com", MailboxForwarding("smtp:x@y.example")), "recipient": ("g",),
        "remove_delegate": ("u@contoso.com", Delegate(FULL_ACCESS, "g")),
        "add_delegate": ("u@contoso.com", Delegate(SEND_AS, "g")),
        "message_trace": ("u@contoso.com", SINCE, SINCE, 10),
    },
    ManagementActivityClient: {
        "fetch_content": (FEED,), "start_subscription": ("https://app.example/api/alerts/o365", "id"),
        "list_subscriptions": (),
    },
    TenantGraph: {
        "service_principal": ("app",), "app_role_ids": ("sp",), "directory_roles": ("sp",),
        "grant_app_role": ("sp", "resource", "role"), "assign_directory_role": ("sp", "role", "/"),
        "application_by_uri": ("api://x",), "create_application": ({"displayName": "x"},),
        "update_application": ("id", {"appRoles": []}), "create_service_principal": ("app",),
    },
    ExchangeRbac: {
        "assigned_roles": ("sp",), "roles_holding": ("Get-Mailbox",), "may_send_as": ("sp", "secops@contoso.com"),
    },
}
# One object that every call can read: a user, a mailbox, an empty page.
ANSWER = {"id": "u", "userPrincipalName": "u@contoso.com",
          "value": [{"id": "u", "Identity": "u", "resourceId": "r", "appRoleId": "a", "roleDefinitionId": "d"}]}


def call_of(request: httpx.Request) -> str:
    """The table's spelling of a request: `METHOD /path` with ids generalised, or `InvokeCommand <cmdlet>`."""
    path = request.url.path
    if path.endswith("/InvokeCommand"):
        return f"InvokeCommand {json.loads(request.content)['CmdletInput']['CmdletName']}"
    if "/activity/feed/" in path:
        return f"{request.method} {path[path.index('/activity/feed/'):]}"
    path = path.removeprefix("/v1.0")
    if request.method == "PATCH" and path.count("/") == 2 and path.startswith("/users/"):
        return f"PATCH /users/{{user}} {next(iter(json.loads(request.content)))}"
    return f"{request.method} {path}"


def covers(pattern: str, call: str) -> bool:
    want, got = pattern.split(), call.split()
    if len(want) != len(got) or want[0] != got[0] or want[2:] != got[2:]:
        return False
    want_parts, got_parts = want[1].split("/"), got[1].split("/")
    return len(want_parts) == len(got_parts) and all(
        mine.startswith("{") or mine.lower() == theirs.lower() for mine, theirs in zip(want_parts, got_parts))


def covering(call: str) -> list[permissions.Grant]:
    return [grant for grant in TABLE + SETUP_TABLE if any(covers(pattern, call) for pattern in grant.calls)]


async def sent_by(gateway_class, method: str, args: tuple) -> list[str]:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        requests.append(request)
        body = [] if "/activity/feed/" in request.url.path else ANSWER
        return httpx.Response(200, json=body)

    client_class = ExchangeAdminClient if gateway_class is ExchangeRbac else gateway_class
    client = client_class(Settings(tenant_id=TENANT), transport=httpx.MockTransport(answer), credential=FakeToken())
    gateway = ExchangeRbac(client) if gateway_class is ExchangeRbac else client
    try:
        await getattr(gateway, method)(*args)
    finally:
        await client.aclose()
    return [call_of(request) for request in requests]


class FakeToken:
    async def get_token(self, *scopes, **kwargs):
        return AccessToken("t", 2 ** 31)

    async def close(self):
        pass


CASES = [(cls, method) for cls, methods in DRIVERS.items() for method in methods]


@pytest.mark.parametrize(("gateway_class", "method"), CASES, ids=[f"{c.__name__}.{m}" for c, m in CASES])
async def test_every_request_a_gateway_method_sends_has_a_row(gateway_class, method):
    calls = await sent_by(gateway_class, method, DRIVERS[gateway_class][method])
    assert calls, f"{method} sent nothing"
    for call in calls:
        assert covering(call), f"{gateway_class.__name__}.{method} sends {call!r}, which no row of the table covers"


@pytest.mark.parametrize("gateway_class", list(DRIVERS))
def test_every_public_gateway_method_is_driven(gateway_class):
    own = list(itertools.takewhile(lambda klass: klass is gateway_class or klass not in DRIVERS,
                                   gateway_class.__mro__))   # the class and its mixins, not a driven base's
    public = {name for klass in own for name, member in vars(klass).items()
              if inspect.iscoroutinefunction(member) and not name.startswith("_") and name != "aclose"}
    assert public == set(DRIVERS[gateway_class])


def test_a_graph_call_needs_the_permission_the_sandbox_routes_it_with():
    for grant in TABLE:
        for call in grant.calls:
            if grant.kind in (permissions.GRAPH, permissions.EXCHANGE_RBAC) and call in sandbox_graph.PERMISSIONS:
                assert sandbox_graph.PERMISSIONS[call] == grant.name, call


def test_the_permission_a_graph_error_names_is_in_the_table():
    names = {grant.name for grant in TABLE}
    assert set(GRAPH_ERROR_PERMISSIONS.values()) <= names


def test_the_defaults_need_no_optional_feature():
    names = {grant.name for grant in needed(Settings())}
    assert "User.EnableDisableAccount.All" not in names and "GroupMember.Read.All" not in names
    assert "ActivityFeed.Read" not in names and "Mail.Send" not in names
    assert {"User.Read.All", "Exchange.ManageAsApp", "Remove-BlockedSenderAddress", "User Administrator"} <= names


@pytest.mark.parametrize(("settings", "grant"), [
    (Settings(disable_account_on_recurrence=True), "User.EnableDisableAccount.All"),
    (Settings(disable_account_when_manual_reset=True), "User.EnableDisableAccount.All"),
    (Settings(protected_accounts=("6e0f4c2e-9c3b-4d2a-9b1f-0c7d2c1b5a90",)), "GroupMember.Read.All"),
    (Settings(o365_webhook_auth_id="x"), "ActivityFeed.Read"),
    (Settings(notify_sender="secops@contoso.com", notify_recipients=("soc@contoso.com",)), "Mail.Send"),
])
def test_a_feature_turned_on_needs_its_grant(settings, grant):
    assert grant in {row.name for row in needed(settings)}


def test_protected_upns_alone_need_no_group_reads():
    assert "GroupMember.Read.All" not in {row.name for row in needed(Settings(protected_accounts=("ceo@contoso.com",)))}


def test_deploy_guide_holds_the_generated_table():
    guide = (Path(__file__).parents[2] / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    assert permissions.markdown_table() in guide
