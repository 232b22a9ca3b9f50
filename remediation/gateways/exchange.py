"""`ExchangeAdmin` on the admin API that the ExchangeOnlineManagement v3 module uses.

`POST {EXCHANGE_BASE_URL}/adminapi/beta/{TENANT_ID}/InvokeCommand` with
`{"CmdletInput": {"CmdletName": ..., "Parameters": {...}}}` and the module's headers;
results in `value`, further pages by re-POSTing the same body to `@odata.nextLink`.
Undocumented by Microsoft: shapes follow public captures (see tests/events/exchange/); they become
the tenant's models in exchange_shapes.py.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from remediation.errors import NotFoundError
from remediation.gateways import exchange_shapes
from remediation.gateways.exchange_errors import SERVICE, exchange_error
from remediation.gateways.http import IDEMPOTENT, RetryPolicy, ServiceClient, next_link, retry_after_seconds, send
from remediation.models import iso
from remediation.tenant import (
    FULL_ACCESS, SEND_AS, Block, CasSettings, Delegate, InboxRule, MailboxForwarding, Recipient,
)
from remediation.tenant_activity import MessageTrace
from remediation.settings import Settings

# The anchor the module uses for cmdlets that name no mailbox (the organization's system mailbox).
SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
PAGE_SIZE = 1000
# Cmdlets that must not be repeated blindly: a second Remove counts against Microsoft's unblock cap.
TRACE_RESULT_SIZE = 5000   # Get-MessageTraceV2's largest -ResultSize
NOT_IDEMPOTENT = frozenset({"remove-blockedsenderaddress"})


def anchor_mailbox(mailbox: str, tenant: str) -> str:
    """`X-AnchorMailbox`, a routing hint that an HTTP header carries only in ASCII: an IDN domain
    goes as punycode; a non-ASCII local part has no ASCII form, so the system mailbox anchors then
    (the cmdlet's parameters still name the mailbox, and the front end routes the call)."""
    system = f"UPN:{SYSTEM_MAILBOX}@{tenant}"
    local, at, domain = mailbox.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return system
    return f"UPN:{local}{at}{domain}" if mailbox and local.isascii() else system


class ExchangeAdminClient(ServiceClient):
    """The ExchangeAdmin port. Build once per process; `aclose()` at shutdown."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 credential=None, retry: RetryPolicy | None = None) -> None:
        super().__init__(settings.exchange_base_url, settings, transport=transport, credential=credential, retry=retry)

    async def invoke(self, cmdlet: str, parameters: dict, *, mailbox: str = "") -> list[dict]:
        """Runs one cmdlet and returns every result object, all pages followed."""
        body = json.dumps({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}}).encode()
        headers = {
            "Accept": "application/json", "Content-Type": "application/json",
            "X-ResponseFormat": "json", "X-SerializationLevel": "Partial",
            "X-AnchorMailbox": anchor_mailbox(mailbox, self.tenant),
            "X-Prefer": f"odata.maxpagesize={PAGE_SIZE}",
        }
        extensions = {IDEMPOTENT: cmdlet.lower() not in NOT_IDEMPOTENT}
        results: list[dict] = []
        url = self.tenant_url("/adminapi/beta/{tenant}/InvokeCommand")
        while url:
            request = self._http.build_request("POST", url, content=body, headers=headers, extensions=extensions)
            page = await self._send(request, cmdlet)
            results.extend(page.get("value") or [])
            url = next_link(page, self.base_url, service=SERVICE)
        return results

    async def _send(self, request: httpx.Request, cmdlet: str) -> dict:
        response = await send(self._http, request, service=SERVICE)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"error": {"message": response.text[:500]}}
        if response.is_success:
            return body if isinstance(body, dict) else {}
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        raise exchange_error(response.status_code, body, cmdlet, retry_after)

    # -- the ExchangeAdmin port ----------------------------------------------------------------

    async def blocked_senders(self, sender: str | None = None) -> list[Block]:
        try:
            entries = await self.invoke("Get-BlockedSenderAddress", {"SenderAddress": sender} if sender else {})
        except NotFoundError:
            if sender is None:
                raise
            return []   # "not on the list" is an answer, not a failure
        return [exchange_shapes.block(entry) for entry in entries]

    async def unblock(self, sender: str) -> None:
        await self.invoke("Remove-BlockedSenderAddress", {"SenderAddress": sender})

    async def mailbox_forwarding(self, mailbox: str) -> MailboxForwarding:
        found = await self.invoke("Get-Mailbox", {"Identity": mailbox}, mailbox=mailbox)
        if not found:
            raise NotFoundError(f"no mailbox {mailbox!r}", service=SERVICE)
        return exchange_shapes.mailbox_forwarding(found[0])

    async def clear_mailbox_forwarding(self, mailbox: str) -> None:
        await self.invoke("Set-Mailbox", {"Identity": mailbox, "ForwardingSmtpAddress": None,
                                          "ForwardingAddress": None, "DeliverToMailboxAndForward": False},
                          mailbox=mailbox)

    async def set_mailbox_forwarding(self, mailbox: str, forwarding: MailboxForwarding) -> None:
        await self.invoke("Set-Mailbox", {"Identity": mailbox, **forwarding.to_json()}, mailbox=mailbox)

    async def enable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        await self.invoke("Enable-InboxRule", {"Mailbox": mailbox, "Identity": rule_identity, "Confirm": False},
                          mailbox=mailbox)

    async def cas_settings(self, mailbox: str) -> CasSettings:
        found = await self.invoke("Get-CASMailbox", {"Identity": mailbox}, mailbox=mailbox)
        if not found:
            raise NotFoundError(f"no mailbox {mailbox!r}", service=SERVICE)
        return exchange_shapes.cas_settings(found[0])

    async def set_cas_settings(self, mailbox: str, settings: CasSettings) -> None:
        await self.invoke("Set-CASMailbox", {"Identity": mailbox, **settings.to_json()}, mailbox=mailbox)

    async def delegates(self, mailbox: str) -> list[Delegate]:
        full_access = await self.invoke("Get-MailboxPermission", {"Identity": mailbox}, mailbox=mailbox)
        send_as = await self.invoke("Get-RecipientPermission", {"Identity": mailbox}, mailbox=mailbox)
        found = await self.invoke("Get-Mailbox", {"Identity": mailbox}, mailbox=mailbox)
        return (exchange_shapes.mailbox_permissions(full_access) + exchange_shapes.recipient_permissions(send_as)
                + (exchange_shapes.send_on_behalf(found[0]) if found else []))

    async def recipient(self, identity: str) -> Recipient | None:
        try:
            found = await self.invoke("Get-Recipient", {"Identity": identity})
        except NotFoundError:
            return None
        return exchange_shapes.recipient(found[0]) if found else None

    async def remove_delegate(self, mailbox: str, delegate: Delegate) -> None:
        await self.invoke(*_delegate_call(mailbox, delegate, "remove"), mailbox=mailbox)

    async def add_delegate(self, mailbox: str, delegate: Delegate) -> None:
        await self.invoke(*_delegate_call(mailbox, delegate, "add"), mailbox=mailbox)

    async def inbox_rules(self, mailbox: str, include_hidden: bool = True) -> list[InboxRule]:
        parameters: dict = {"Mailbox": mailbox}
        if include_hidden:
            parameters["IncludeHidden"] = True
        rules = await self.invoke("Get-InboxRule", parameters, mailbox=mailbox)
        return [exchange_shapes.inbox_rule(rule) for rule in rules]

    async def disable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        await self.invoke("Disable-InboxRule", {"Mailbox": mailbox, "Identity": rule_identity, "Confirm": False},
                          mailbox=mailbox)


    async def message_trace(self, sender: str, start: datetime, end: datetime, limit: int) -> MessageTrace:
        """Get-MessageTraceV2 has no pages: each next query takes the last row's RecipientAddress
        (-StartingRecipientAddress) and Received (-EndDate), as Microsoft documents. One row past
        `limit` is asked for, to tell a cut result from a complete one."""
        parameters: dict = {"SenderAddress": sender, "StartDate": iso(start), "EndDate": iso(end)}
        rows: list[dict] = []
        while True:
            size = min(TRACE_RESULT_SIZE, limit + 1 - len(rows))
            page = await self.invoke("Get-MessageTraceV2", {**parameters, "ResultSize": size})
            rows.extend(page)
            if len(rows) > limit or len(page) < size or not page:
                break
            last = page[-1]
            parameters.update(EndDate=last.get("Received"), StartingRecipientAddress=last.get("RecipientAddress"))
        return MessageTrace(tuple(exchange_shapes.traced_message(row) for row in rows[:limit]), cut=len(rows) > limit)

def _delegate_call(mailbox: str, delegate: Delegate, verb: str) -> tuple[str, dict]:
    """The cmdlet that removes (or adds back) one delegate right."""
    noun = "Remove" if verb == "remove" else "Add"
    if delegate.right == FULL_ACCESS:
        return f"{noun}-MailboxPermission", {"Identity": mailbox, "User": delegate.trustee,
                                             "AccessRights": [FULL_ACCESS], "InheritanceType": "All",
                                             **({"Confirm": False} if verb == "remove" else {})}
    if delegate.right == SEND_AS:
        return f"{noun}-RecipientPermission", {"Identity": mailbox, "Trustee": delegate.trustee,
                                               "AccessRights": [SEND_AS], "Confirm": False}
    return "Set-Mailbox", {"Identity": mailbox, "GrantSendOnBehalfTo": {verb: [delegate.trustee]}}
