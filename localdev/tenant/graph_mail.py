"""Graph's mail routes: the inbox's message rules and sendMail.

Mail routes are served by Exchange behind Graph, so their errors use Exchange's codes
(`ErrorInvalidUser`, `ErrorItemNotFound`, `ErrorInvalidRecipients`). Hidden rules (the ones
only `Get-InboxRule -IncludeHidden` shows) do not exist for Graph.
"""

from __future__ import annotations

import base64
import binascii
import re

from localdev.tenant import odata
from localdev.tenant.graph_router import GraphCall, GraphReply, Route

RULE_FIELDS = ("id", "displayName", "sequence", "isEnabled", "hasError", "isReadOnly", "conditions", "actions",
               "exceptions")
_WRITABLE = {"displayName", "sequence", "isEnabled", "conditions", "actions", "exceptions", "isReadOnly"}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def mailbox_user(call: GraphCall, key: str) -> dict:
    user = call.state.user(key)
    if user is None:
        raise odata.GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")
    return user


def _rules_context(call: GraphCall, user: dict, suffix: str = "") -> str:
    return odata.context(call.base, f"users('{user['id']}')/mailFolders('inbox')/messageRules{suffix}")


def graph_rule(rule: dict) -> dict:
    """A rule as Graph shows it: no sandbox-only keys; `exceptions` only when the rule has some."""
    return {name: rule[name] for name in RULE_FIELDS if name in rule and (name != "exceptions" or rule[name])}


def visible_rule(call: GraphCall, user: dict, rule_id: str) -> dict:
    try:
        valid = len(base64.b64decode(rule_id, validate=True)) == 8
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        raise odata.GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    rule = call.state.rule(user, rule_id)
    if rule is None or rule.get("hidden"):
        raise odata.GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return rule


def list_rules(call: GraphCall, user: str) -> GraphReply:
    record = mailbox_user(call, user)
    rules = sorted((rule for rule in record["inboxRules"] if not rule.get("hidden")), key=lambda rule: rule["sequence"])
    return GraphReply(200, {"@odata.context": _rules_context(call, record), "value": [graph_rule(r) for r in rules]})


def get_rule(call: GraphCall, user: str, rule: str) -> GraphReply:
    record = mailbox_user(call, user)
    found = visible_rule(call, record, rule)
    return GraphReply(200, {"@odata.context": _rules_context(call, record, "/$entity"), **graph_rule(found)})


def update_rule(call: GraphCall, user: str, rule: str) -> GraphReply:
    body = call.json()
    if not isinstance(body, dict):
        raise odata.bad_request("Empty Payload. JSON content expected.")
    body = odata.properties(body)
    unknown = [name for name in body if name not in _WRITABLE]
    if unknown:
        raise odata.bad_request(f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.messageRule'. "
                                "Make sure to only use property names that are defined by the type.")
    record = mailbox_user(call, user)
    found = visible_rule(call, record, rule)
    # Complex properties (conditions, actions, exceptions) are replaced whole, as the documented sample shows.
    found.update(body)
    return GraphReply(200, {"@odata.context": _rules_context(call, record, "/$entity"), **graph_rule(found)})


def delete_rule(call: GraphCall, user: str, rule: str) -> GraphReply:
    record = mailbox_user(call, user)
    record["inboxRules"].remove(visible_rule(call, record, rule))
    return GraphReply(204)


def _recipients(message: dict) -> list[str]:
    addresses = []
    for field in ("toRecipients", "ccRecipients", "bccRecipients"):
        recipients = message.get(field) or []
        if not isinstance(recipients, list):
            raise odata.bad_request(f"Invalid value for property '{field}'.", "ErrorInvalidParameter")
        for recipient in recipients:
            address = ((recipient or {}).get("emailAddress") or {}).get("address") or ""
            if not _ADDRESS.match(address):
                raise odata.GraphError(400, "ErrorInvalidRecipients",
                                       f"At least one recipient is not valid., Recipient '{address}' is not resolved. "
                                       "All recipients must be resolved before a message can be submitted.")
            addresses.append(address)
    return addresses


def send_mail(call: GraphCall, user: str) -> GraphReply:
    body = call.json()
    if not isinstance(body, dict):
        raise odata.bad_request("Empty Payload. JSON content expected.", "ErrorInvalidParameter")
    message = odata.parameter(body, "message")
    if not isinstance(message, dict):
        raise odata.GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
    recipients = _recipients(message)
    if not recipients:
        raise odata.GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., A message can't "
                                                              "be sent because it contains no recipients.")
    sender = mailbox_user(call, user)
    address = sender.get("mail") or sender["userPrincipalName"]
    call.state.outbox.append({
        "at": call.state.now_iso(), "from": address, "recipients": recipients, "message": message,
        "saveToSentItems": str(odata.parameter(body, "saveToSentItems")).lower() != "false",
        # A restricted sender's mail is accepted here and bounced later by Exchange (550 5.1.8).
        "restricted": call.state.blocked_sender(address) is not None})
    return GraphReply(202)


_RULES = "/users/{user}/mailFolders/inbox/messageRules"
ROUTES = [
    Route("GET", _RULES, list_rules, "MailboxSettings.ReadWrite"),
    Route("GET", _RULES + "/{rule}", get_rule, "MailboxSettings.ReadWrite"),
    Route("PATCH", _RULES + "/{rule}", update_rule, "MailboxSettings.ReadWrite"),
    Route("DELETE", _RULES + "/{rule}", delete_rule, "MailboxSettings.ReadWrite"),
    Route("POST", "/users/{user}/sendMail", send_mail, "Mail.Send"),
]
