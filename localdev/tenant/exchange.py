"""The Exchange Online admin API the ExchangeOnlineManagement v3 module calls:

    POST /adminapi/beta/{tenant}/InvokeCommand
    {"CmdletInput": {"CmdletName": "Get-InboxRule", "Parameters": {"Mailbox": "...", "IncludeHidden": true}}}

The tenant is named by GUID or by any of its domains; cmdlet and parameter names are
case-insensitive. Results come in `value` with `@odata.context` and the warnings annotations;
when there are more than a page (the scenario's `exchange.pageSize`, or less when the caller
sends `Prefer: odata.maxpagesize=N`), `@odata.nextLink` points at the same path with
`$skiptoken`, and the client POSTs the same body there. Errors are in Exchange's shape
(exchange_errors.py). Faults and the request log (with the cmdlet) are the app's middleware's.
"""

from __future__ import annotations

import re

from aiohttp import web

from localdev.tenant import context, exchange_cas, exchange_control, exchange_delegates, exchange_roles
from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_cmdlets import CMDLETS
from localdev.tenant.state import TenantState

SERVED = (CMDLETS, exchange_cas.CMDLETS, exchange_delegates.CMDLETS, exchange_roles.CMDLETS)
PATH = "/adminapi/beta/{tenant}/InvokeCommand"
# What Exchange answers a successful InvokeCommand with (see the Get-Mailbox capture).
CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
_MAX_PAGE = re.compile(r"odata\.maxpagesize=(\d+)", re.IGNORECASE)


def add_routes(app: web.Application, tenant: TenantState) -> None:
    """Register the admin API's route, and the control calls that seed Exchange-side state."""
    app.router.add_post(PATH, invoke_command)
    exchange_control.add_routes(app)


def _cmdlet_input(body) -> tuple[str, dict]:
    if not isinstance(body, dict) or not isinstance(body.get("CmdletInput"), dict):
        raise ValueError("The request body must contain a CmdletInput object.")
    cmdlet_input = body["CmdletInput"]
    name, parameters = cmdlet_input.get("CmdletName"), cmdlet_input.get("Parameters") or {}
    if not isinstance(name, str) or not name.strip():
        raise ValueError("CmdletInput.CmdletName is required.")
    if not isinstance(parameters, dict):
        raise ValueError("CmdletInput.Parameters must be an object.")
    return name.strip(), parameters


def _page_size(request: web.Request, state: TenantState) -> int:
    size = int(state.exchange["pageSize"])
    for header in ("Prefer", "X-Prefer"):
        match = _MAX_PAGE.search(request.headers.get(header, ""))
        if match:
            size = min(size, max(1, int(match.group(1))))
    return size


def _skiptoken(request: web.Request) -> int:
    token = request.query.get("$skiptoken", "0")
    if not token.isdigit():
        raise ValueError(f"The $skiptoken '{token}' is not valid.")
    return int(token)


async def invoke_command(request: web.Request) -> web.Response:
    state = context.state(request)
    tenant = request.match_info["tenant"]
    if not state.names_tenant(tenant):
        # Exchange answers a tenant it does not serve before it looks at the body.
        unknown = {"error": {"code": "Unauthorized", "message": f"The tenant '{tenant}' was not found."}}
        return errors.json_response(unknown, status=401)
    try:
        name, parameters = _cmdlet_input(context.json_body(request))
        offset = _skiptoken(request)
    except context.MalformedBody:
        return errors.bad_request("The request body is not valid JSON.")
    except ValueError as exc:
        return errors.bad_request(str(exc))
    cmdlet = next((table[name.lower()] for table in SERVED if name.lower() in table), None)
    try:
        if cmdlet is None or not exchange_roles.granted(state, cmdlet.name):
            raise errors.unknown_cmdlet(name)
        results = cmdlet.run(state, cmdlet.bind(parameters))
    except errors.ExchangeError as exc:
        return exc.response()
    root = f"{context.base_url(request)}/adminapi/beta/{tenant}"
    size = _page_size(request, state)
    body = {"@odata.context": f"{root}/$metadata#Collection(Exchange.GenericHashTable)",
            "adminapi.warnings@odata.type": "#Collection(String)", "@adminapi.warnings": [],
            "value": results[offset:offset + size]}
    if offset + size < len(results):
        body["@odata.nextLink"] = f"{root}/InvokeCommand?$skiptoken={offset + size}"
    return errors.json_response(body, content_type=CONTENT_TYPE)
