"""The OpenAPI schemas of the job's `evidence` (remediation/evidence.py) and `watch` (remediation/watch.py)."""

from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _counted(key: str) -> dict:
    return {"type": "array", "items": {"type": "object", "properties": {key: {"type": "string"},
                                                                         "count": {"type": "integer"}}}}


def evidence_schemas() -> dict:
    string, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    moment = {"type": "string", "format": "date-time", "nullable": True}
    unavailable = {"available": boolean, "reason": {**string, "description": "why not available (available false)"}}
    return {
        "Evidence": {"type": "object", "nullable": True, "description": "read-only, collected once the sessions are "
                     "revoked; `error` when it could not be collected at all", "properties": {
                         "collectedAt": moment, "error": string, "sent": _ref("SentEvidence"),
                         "signIns": _ref("SignInEvidence")}},
        "SentEvidence": {"type": "object", "description": "Get-MessageTraceV2 from 48 h before the block until "
                         "collection; message bodies are never read", "properties": {
                             **unavailable, "from": moment, "to": moment,
                             "messageTraceId": {**string, "nullable": True,
                                                "description": "the MessagetraceId of the block's Reason"},
                             "messages": integer, "recipients": integer, "rows": integer,
                             "cut": {**boolean, "description": "more rows than `limit` were there"},
                             "limit": integer, "first": moment, "last": moment,
                             "topRecipientDomains": _counted("domain"),
                             "topSubjects": {**_counted("subject"), "nullable": True,
                                             "description": "null when EVIDENCE_SUBJECTS is false"}}},
        "SignInEvidence": {"type": "object", "description": "auditLogs/signIns from 7 days before the block "
                           "(needs Entra ID P1 and AuditLog.Read.All)", "properties": {
                               **unavailable, "from": moment, "signIns": integer, "first": moment, "last": moment,
                               "ips": {"type": "array", "items": {"type": "object", "properties": {
                                   "ip": string, "country": string, "city": string, "count": integer,
                                   "firstSeen": moment, "lastSeen": moment}}},
                               "clientApps": {"type": "array", "items": {"type": "object", "properties": {
                                   "app": string, "count": integer,
                                   "legacy": {**boolean, "description": "Authenticated SMTP, IMAP4 or POP3"}}}},
                               "newCountries": {"type": "array", "items": string,
                                                "description": "not seen in the 30 days before"}}},
        "Watch": {"type": "object", "nullable": True, "description": "after resolved (enforce jobs): a check every "
                  "WATCH_INTERVAL_SECONDS until `until`", "properties": {
                      "since": moment, "until": moment, "intervalSeconds": integer, "checksMade": integer,
                      "outcome": {"type": "string", "enum": ["watching", "clean", "escalated"]},
                      "findings": {"type": "array", "items": {"type": "object", "properties": {
                          "at": moment, "what": string}}}}},
    }
