"""The Exchange admin API client against httpx.MockTransport, with Exchange's captured shapes."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from remediation.errors import (
    ConfigurationError, NotFoundError, PermissionError_, ServiceRejectedError, ThrottledError, TransientError, UnblockCapError,
)
from remediation.gateways.exchange import SYSTEM_MAILBOX, ExchangeAdminClient, anchor_mailbox
from remediation.gateways.exchange_errors import parse_failure
from remediation.settings import Settings
from remediation.tenant import EXCHANGE, InboxRule
from tests.conftest import load_event
from tests.plugins.gateways import TENANT

ENDPOINT = f"https://outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand"


def captured_mailbox() -> dict:
    """The Get-Mailbox response body of the public capture (its `/* ... */` elision removed)."""
    text = load_event("exchange/invokecommand-capture-get-mailbox.elided.txt")
    body = text[text.index("{", text.index("# Body")):]
    return json.loads(re.sub(r"/\*.*?\*/", "", body, flags=re.DOTALL))


def rest_error_500() -> dict:
    """The EXO REST error body of the issue's console text (which ends in one stray brace)."""
    line = load_event("exchange/exo-rest-error-500.verbatim.txt").splitlines()[-1]
    return json.JSONDecoder().raw_decode(line[line.index("ErrorMessage=") + len("ErrorMessage="):])[0]


def cmdlet_error(exception_type: str, text: str, status: int = 500) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": "InternalServerError", "message": "Error executing cmdlet",
                                                  "details": [{"code": "Client", "target": "",
                                                               "message": f"Ex1|{exception_type}|{text}"}]}})


def sent(request: httpx.Request) -> dict:
    return json.loads(request.content)["CmdletInput"]


def listing(*values, next_link=None) -> httpx.Response:
    body = {"@odata.context": "ctx", "adminapi.warnings@odata.type": "#Collection(String)",
            "@adminapi.warnings": [], "value": list(values)}
    if next_link:
        body["@odata.nextLink"] = next_link
    return httpx.Response(200, json=body)


@pytest.fixture
def exchange(connect, cloud_settings):
    return connect(ExchangeAdminClient, cloud_settings)


async def test_a_cmdlet_is_posted_like_the_powershell_module_does(exchange, service, credential):
    service.reply(httpx.Response(200, json=captured_mailbox()))
    await exchange.mailbox_forwarding("adele@contoso.com")
    request = service.requests[0]
    assert (request.method, str(request.url)) == ("POST", ENDPOINT)
    assert sent(request) == {"CmdletName": "Get-Mailbox", "Parameters": {"Identity": "adele@contoso.com"}}
    headers = request.headers
    assert (headers["X-ResponseFormat"], headers["X-SerializationLevel"], headers["Accept"]) == \
        ("json", "Partial", "application/json")
    assert headers["X-Prefer"] == "odata.maxpagesize=1000" and headers["X-AnchorMailbox"] == "UPN:adele@contoso.com"
    assert headers["Authorization"] == "Bearer token-for-https://outlook.office365.com/.default"
    assert credential.scopes == [("https://outlook.office365.com/.default",)]


@pytest.mark.parametrize(("mailbox", "anchor"), [
    ("adele@contoso.com", "UPN:adele@contoso.com"),
    ("adele@bücher.example", "UPN:adele@xn--bcher-kva.example"),
    ("jürgen@contoso.com", f"UPN:{SYSTEM_MAILBOX}@{TENANT}"),
    ("adele@contoso..com", f"UPN:{SYSTEM_MAILBOX}@{TENANT}"),
    ("", f"UPN:{SYSTEM_MAILBOX}@{TENANT}"),
])
def test_the_anchor_header_is_ascii_whatever_the_address(mailbox, anchor):
    assert anchor_mailbox(mailbox, TENANT) == anchor and anchor.isascii()


async def test_a_loopback_root_gets_no_token(connect, loopback_settings, service, credential):
    service.reply(listing())
    await connect(ExchangeAdminClient, loopback_settings).blocked_senders()
    assert str(service.requests[0].url) == f"http://127.0.0.1:8799/adminapi/beta/{TENANT}/InvokeCommand"
    assert "Authorization" not in service.requests[0].headers and credential.scopes == []
    assert service.requests[0].headers["X-AnchorMailbox"].startswith("UPN:SystemMailbox{")


async def test_mailbox_forwarding_keeps_the_smtp_prefix_as_exchange_gives_it(exchange, service):
    service.reply(httpx.Response(200, json=captured_mailbox()))
    forwarding = await exchange.mailbox_forwarding("adele@contoso.com")
    assert forwarding.forwarding_smtp_address == "smtp:<external address>"
    assert forwarding.forwarding_address is None and forwarding.deliver_to_mailbox_and_forward is True


@pytest.mark.parametrize("fields, expected", [
    ({"ForwardingSmtpAddress": "SMTP:x@evil.example", "DeliverToMailboxAndForward": "True"},
     ("SMTP:x@evil.example", None, True)),
    ({"ForwardingSmtpAddress": "  ", "ForwardingAddress": "Bob Kelly", "DeliverToMailboxAndForward": "false"},
     (None, "Bob Kelly", False)),
    ({}, (None, None, False)),
])
async def test_mailbox_forwarding_is_read_leniently(exchange, service, fields, expected):
    service.reply(listing(fields))
    forwarding = await exchange.mailbox_forwarding("adele@contoso.com")
    assert (forwarding.forwarding_smtp_address, forwarding.forwarding_address,
            forwarding.deliver_to_mailbox_and_forward) == expected


async def test_clearing_forwarding_sets_all_three_fields(exchange, service):
    service.reply(listing())
    await exchange.clear_mailbox_forwarding("adele@contoso.com")
    assert sent(service.requests[0]) == {"CmdletName": "Set-Mailbox", "Parameters": {
        "Identity": "adele@contoso.com", "ForwardingSmtpAddress": None, "ForwardingAddress": None,
        "DeliverToMailboxAndForward": False}}


async def test_blocked_senders_follow_next_links_by_reposting_the_same_body(exchange, service):
    entry = {"SenderAddress": "adele@contoso.com", "Reason": "ExceedingLimitType=Recipient;Limit=10000",
             "CreatedDatetime@data.type": "System.DateTime", "CreatedDatetime": "2026-11-28T07:00:00.0000000Z",
             "ChangedDatetime": "2026-11-28T07:05:00.0000000Z", "TemporaryBlock": False}
    next_link = f"{ENDPOINT}?$skiptoken=1"
    service.reply(listing(entry, next_link=next_link), listing({**entry, "SenderAddress": "bob@contoso.com",
                                                               "TemporaryBlock": True}))
    blocks = await exchange.blocked_senders()
    assert [(block.sender, block.temporary) for block in blocks] == \
        [("adele@contoso.com", False), ("bob@contoso.com", True)]
    first = blocks[0]
    assert first.created == "2026-11-28T07:00:00.0000000Z" and first.changed == "2026-11-28T07:05:00.0000000Z"
    assert first.reason_parts == {"ExceedingLimitType": "Recipient", "Limit": "10000"}
    assert [str(request.url) for request in service.requests] == [ENDPOINT, next_link]
    assert service.requests[0].content == service.requests[1].content
    assert sent(service.requests[0]) == {"CmdletName": "Get-BlockedSenderAddress", "Parameters": {}}


async def test_a_next_link_to_another_host_is_refused(exchange, service):
    service.reply(listing(next_link="https://evil.example/adminapi/beta/x/InvokeCommand"))
    with pytest.raises(ServiceRejectedError, match="evil.example"):
        await exchange.blocked_senders()
    assert len(service.requests) == 1


async def test_a_sender_that_is_not_blocked_is_an_empty_list(exchange, service):
    service.reply(cmdlet_error("Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", "not found"))
    assert await exchange.blocked_senders("carol@contoso.com") == []
    assert sent(service.requests[0])["Parameters"] == {"SenderAddress": "carol@contoso.com"}


async def test_inbox_rules_include_hidden_ones_and_are_read_as_exchange_rules(exchange, service):
    rule = {"Name": "RSS", "RuleIdentity": "1234", "Enabled": True, "MoveToFolder": "RSS Feeds", "ForwardTo": None}
    service.reply(listing(rule))
    assert await exchange.inbox_rules("adele@contoso.com") == [
        InboxRule(EXCHANGE, "RSS", True, identity="1234", move_to="RSS Feeds")]
    assert sent(service.requests[0])["Parameters"] == {"Mailbox": "adele@contoso.com", "IncludeHidden": True}
    service.reply(listing())
    await exchange.inbox_rules("adele@contoso.com", include_hidden=False)
    assert sent(service.requests[1])["Parameters"] == {"Mailbox": "adele@contoso.com"}


async def test_disable_inbox_rule_names_mailbox_rule_and_no_confirmation(exchange, service):
    service.reply(listing())
    await exchange.disable_inbox_rule("adele@contoso.com", "1234")
    assert sent(service.requests[0]) == {"CmdletName": "Disable-InboxRule", "Parameters": {
        "Mailbox": "adele@contoso.com", "Identity": "1234", "Confirm": False}}


async def test_unblock_removes_the_sender(exchange, service):
    service.reply(listing())
    await exchange.unblock("adele@contoso.com")
    assert sent(service.requests[0]) == {"CmdletName": "Remove-BlockedSenderAddress",
                                         "Parameters": {"SenderAddress": "adele@contoso.com"}}


async def test_unblock_is_not_repeated_after_a_503_but_is_after_a_429(exchange, service, sleeps):
    service.reply(httpx.Response(503), listing())
    with pytest.raises(TransientError, match="HTTP 503"):
        await exchange.unblock("adele@contoso.com")
    assert len(service.requests) == 1
    service.answers[:] = [httpx.Response(429, headers={"Retry-After": "1.5"}), listing()]
    await exchange.unblock("adele@contoso.com")
    assert len(service.requests) == 3 and sleeps == [1.5]


async def test_object_not_found_arrives_as_500_and_is_not_found(exchange, service):
    service.reply(httpx.Response(500, json=load_event("exchange/adminapi-error-objectnotfound.json")))
    with pytest.raises(NotFoundError, match="couldn't be found") as caught:
        await exchange.mailbox_forwarding("user2@contoso.com")
    assert caught.value.message.startswith("The operation couldn't be performed because object 'user2@jichen0107d.com'")
    assert caught.value.code == "ManagementObjectNotFoundException" and caught.value.service == "exchange"


async def test_an_active_directory_transient_error_is_transient(exchange, service):
    service.reply(httpx.Response(500, json=rest_error_500()))
    with pytest.raises(TransientError, match="ADTransientException") as caught:
        await exchange.inbox_rules("adele@contoso.com")
    assert "LDAP server is unavailable" in caught.value.message and caught.value.code == "ADTransientException"


@pytest.mark.parametrize("exception_type, text", [
    ("Microsoft.Exchange.Management.Hygiene.BlockedSenderUnblockLimitExceededException", "cannot be unblocked"),
    ("Microsoft.Exchange.Management.Tasks.TaskException",
     "This sender has been released the maximum number of times. Contact Microsoft Support."),
    ("System.InvalidOperationException", "The unblock limit for this sender has been reached."),
    ("Microsoft.Exchange.Management.Tasks.TaskException", "The sender can't be unblocked again; contact Support."),
    ("Contoso.Future.UnblockLimitExceededException", "Denied."),
])
async def test_the_unblock_cap_is_recognised_by_its_type_or_its_words(exchange, service, exception_type, text):
    service.reply(cmdlet_error(exception_type, text))
    with pytest.raises(UnblockCapError, match=re.escape(text)) as caught:
        await exchange.unblock("adele@contoso.com")
    assert caught.value.message == text


@pytest.mark.parametrize("exception_type, text, status, kind", [
    ("Microsoft.Exchange.Data.Storage.QuotaExceededException", "Request limit exceeded, try again later", 500,
     TransientError),
    ("Microsoft.Exchange.Configuration.Tasks.LimitReachedException", "The operation limit was exceeded.", 400,
     ServiceRejectedError),
    ("System.InvalidOperationException", "The sender adele@contoso.com was already released.", 400,
     ServiceRejectedError),
    ("Microsoft.Exchange.Configuration.Tasks.TaskException", "Maximum request size exceeded.", 500, TransientError),
])
async def test_bare_limit_words_during_an_unblock_are_not_the_cap(exchange, service, exception_type, text, status,
                                                                  kind):
    service.reply(cmdlet_error(exception_type, text, status))
    with pytest.raises(kind, match=re.escape(text)) as caught:
        await exchange.unblock("adele@contoso.com")
    assert not isinstance(caught.value, UnblockCapError) and caught.value.message == text


async def test_limit_words_outside_an_unblock_are_not_the_cap(exchange, service):
    service.reply(cmdlet_error("Microsoft.Exchange.Data.Storage.QuotaExceededException", "mailbox size limit exceeded"))
    with pytest.raises(TransientError, match="mailbox size limit exceeded"):
        await exchange.clear_mailbox_forwarding("adele@contoso.com")


async def test_throttling_during_an_unblock_is_throttling_not_the_cap(exchange, service, sleeps):
    service.reply(httpx.Response(429, headers={"Retry-After": "60"},
                                 json={"error": {"message": "Rate limit exceeded"}}))
    with pytest.raises(ThrottledError, match="Rate limit exceeded") as caught:
        await exchange.unblock("adele@contoso.com")
    assert caught.value.retry_after == 60 and sleeps == []


@pytest.mark.parametrize("answer", [
    httpx.Response(401, json={"error": {"code": "Unauthorized", "message": "The token is not valid."}}),
    httpx.Response(403, json={"error": {"code": "Forbidden", "message": "Access denied."}}),
    cmdlet_error("System.Management.Automation.CommandNotFoundException",
                 "The term 'Remove-BlockedSenderAddress' is not recognized as the name of a cmdlet", 400),
])
async def test_missing_rights_name_the_app_role_and_the_admin_role(exchange, service, answer):
    service.reply(answer)
    with pytest.raises(PermissionError_, match="Exchange.ManageAsApp") as caught:
        await exchange.unblock("adele@contoso.com")
    assert "Exchange.ManageAsApp" in caught.value.permission and "role group" in caught.value.permission


async def test_a_parameter_error_is_rejected_in_exchanges_words(exchange, service):
    text = "A parameter cannot be found that matches parameter name 'Bogus'."
    service.reply(cmdlet_error("System.Management.Automation.ParameterBindingException", text, 400))
    with pytest.raises(ServiceRejectedError, match="Bogus"):
        await exchange.inbox_rules("adele@contoso.com")


async def test_a_body_that_is_not_json_still_gives_a_classified_error(exchange, service):
    service.reply(httpx.Response(502, text="<html>Bad Gateway</html>"))
    with pytest.raises(TransientError, match="Bad Gateway"):
        await exchange.blocked_senders()


async def test_a_dropped_connection_is_transient(exchange, service):
    service.reply(httpx.RemoteProtocolError("Server disconnected without sending a response."))
    with pytest.raises(TransientError, match="connection failed"):
        await exchange.blocked_senders()


@pytest.mark.parametrize("body, failure", [
    (load_event("exchange/adminapi-error-objectnotfound.json"),
     ("Ex6F9304", "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
      "The operation couldn't be performed because object 'user2@jichen0107d.com' couldn't be found on "
      "'EXHV-1242.EXHV-1242dom.extest.microsoft.com'.")),
    (rest_error_500(), ("InternalServerError", "Microsoft.Exchange.Data.Directory.ADTransientException",
                        rest_error_500()["error"]["message"])),
    ({"error": {"code": "X", "message": "outer", "innererror": {"internalException": {"message": "inner words"}}}},
     ("X", "", "inner words")),
    ({"error": {"code": "X", "message": "only this"}}, ("X", "", "only this")),
    ("not even an object", ("", "", "")),
])
def test_the_most_specific_account_of_a_failure_is_read(body, failure):
    parsed = parse_failure(body)
    assert (parsed.code, parsed.exception_type, parsed.text) == failure


async def test_without_a_tenant_nothing_is_sent(connect, service):
    service.reply(listing())
    with pytest.raises(ConfigurationError, match="TENANT_ID"):
        await connect(ExchangeAdminClient, Settings()).blocked_senders()
    assert service.requests == []
