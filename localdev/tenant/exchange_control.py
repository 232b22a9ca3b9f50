"""Control calls that change the tenant the way Exchange Online itself or an attacker would:

    POST /_sandbox/blocks                       {"sender", "reason"?, "createdDatetime"?, "temporary"?}
         a block with no alert (what the blocked-list sweep must find); 201 with the entry
    POST /_sandbox/users/{user}/inbox-rules     {a messageRule in Graph's shape, "hidden"?}
         a rule the attacker (re)creates; 201 with the stored rule
    POST /_sandbox/users/{user}/inbox-rules/{rule}/enable
         the attacker turns a rule the job disabled back on (the watch's "came back"); 200 with the rule
    PUT  /_sandbox/users/{user}/mailbox         {"ForwardingSmtpAddress"?, "ForwardingAddress"?,
                                                 "DeliverToMailboxAndForward"?}
         mailbox forwarding the attacker sets; 200 with the three fields

Control calls are never logged nor faulted (the app's middleware skips /_sandbox/).
"""

from __future__ import annotations

import json
import random

from aiohttp import web

from localdev.tenant import context
from localdev.tenant.exchange_mailbox import smtp_prefixed
from localdev.tenant.state import MAILBOX_DEFAULTS, TenantState


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_sandbox/blocks", post_block)
    app.router.add_post("/_sandbox/users/{user}/inbox-rules", post_inbox_rule)
    app.router.add_post("/_sandbox/users/{user}/inbox-rules/{rule}/enable", enable_inbox_rule)
    app.router.add_put("/_sandbox/users/{user}/mailbox", put_mailbox)


def outbound_spam_reason(sender: str) -> str:
    """A Reason like the ones Get-BlockedSenderAddress shows for outbound spam (the same for a sender each time)."""
    rng = random.Random(sender.lower())
    sent = rng.randint(200, 900)
    spam = rng.randint(sent * 8 // 10, sent)
    return (f"OutboundSpamLast24Hours={spam};OutboundMailLast24Hours={sent};"
            f"OutboundSpamPercent={spam * 100 // sent};Last Spam Message MessagetraceId:{rng.getrandbits(128):032x}")


def add_block(state: TenantState, sender: str, *, reason: str | None = None, created: str | None = None,
              temporary: bool = False) -> dict:
    """Put `sender` on the blocked list; blocking a listed sender again starts a new block."""
    created = created or state.now_iso()
    entry = state.blocked_sender(sender)
    if entry is None:
        entry = {"SenderAddress": sender}
        state.blocked_senders.append(entry)
    entry.pop("releaseAt", None)
    entry.update({"Reason": reason or outbound_spam_reason(sender), "CreatedDatetime": created,
                  "ChangedDatetime": created, "TemporaryBlock": bool(temporary)})
    return entry


_PROBLEMS = {400: web.HTTPBadRequest, 404: web.HTTPNotFound, 409: web.HTTPConflict}


def problem(status: int, message: str) -> web.HTTPException:
    """A control call's error `{"error": ...}`, to raise."""
    return _PROBLEMS[status](text=json.dumps({"error": message}), content_type="application/json")


async def control_body(request: web.Request) -> dict:
    """The JSON object a control call posted. (Control routes bypass the service middleware,
    so the body is parsed here.)"""
    await context.prepare(request)
    try:
        body = context.json_body(request)
    except context.MalformedBody:
        body = None
    if not isinstance(body, dict):
        raise problem(400, "the body must be a JSON object")
    return body


def control_user(request: web.Request) -> dict:
    """The user named by the path's {user} (id, UPN or address)."""
    user = context.state(request).user(request.match_info["user"], by_mail=True)
    if user is None:
        raise problem(404, f"no user {request.match_info['user']}")
    return user


async def post_block(request: web.Request) -> web.Response:
    body = await control_body(request)
    sender = body.get("sender")
    if not isinstance(sender, str) or "@" not in sender:
        raise problem(400, "sender must be an email address")
    entry = add_block(context.state(request), sender, reason=body.get("reason"),
                      created=body.get("createdDatetime"), temporary=bool(body.get("temporary")))
    return web.json_response(entry, status=201)


async def post_inbox_rule(request: web.Request) -> web.Response:
    user, rule = control_user(request), await control_body(request)
    state = context.state(request)
    if "id" in rule and state.rule(user, rule["id"]) is not None:
        raise problem(409, f"the user already has a rule {rule['id']}")
    return web.json_response(state.new_rule(user, rule), status=201)


async def enable_inbox_rule(request: web.Request) -> web.Response:
    user = control_user(request)
    rule = context.state(request).rule(user, request.match_info["rule"])
    if rule is None:
        raise problem(404, f"the user has no rule {request.match_info['rule']}")
    rule["isEnabled"] = True
    return web.json_response(rule)


async def put_mailbox(request: web.Request) -> web.Response:
    user, fields = control_user(request), await control_body(request)
    unknown = set(fields) - set(MAILBOX_DEFAULTS)
    if unknown:
        raise problem(400, f"unknown mailbox fields: {', '.join(sorted(unknown))}")
    if "ForwardingSmtpAddress" in fields:
        fields["ForwardingSmtpAddress"] = smtp_prefixed(fields["ForwardingSmtpAddress"])
    user["mailbox"].update(fields)
    return web.json_response(user["mailbox"])
