"""The OpenAPI 3 document of the HTTP routes, served at /api/openapi.json.

Kept true to the code by a test that compares its paths and methods with the routes of the
indexed app. Roles are Entra app roles carried in the bearer token's `roles` claim.
"""

from __future__ import annotations

from remediation.models import JOB_STATUSES, MODES, STEP_NAMES
from remediation.openapi_evidence import evidence_schemas
from remediation.rollback import RESTORABLE
from remediation.users import MAX_ADDRESS_LENGTH


VERSION = "1.0.0"
HEALTHY, UNHEALTHY = "ok", "failed"   # /api/health: the overall status and each check's

_PROBLEM = {"$ref": "#/components/responses/Problem"}
_BEARER, _FUNCTION_KEY, _WEBHOOK = [{"bearer": []}], [{"functionKey": []}], [{"webhookAuthId": []}]


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*statuses: int) -> dict:
    return {str(status): _PROBLEM for status in statuses}


def _operation(summary: str, responses: dict, *, security: list | None = None, body: dict | None = None,
               parameters: list | None = None, errors: tuple[int, ...] = (400, 401, 403)) -> dict:
    operation = {"summary": summary, "security": security if security is not None else _BEARER,
                 "responses": {**responses, **_errors(*errors)}}
    if body is not None:
        operation["requestBody"] = body
    if parameters:
        operation["parameters"] = parameters
    return operation


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_JOB_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_ALERT_ANSWER = {"202": _json(_ref("AlertJobs"), "at least one job started"),
                 "200": _json(_ref("AlertJobs"), "every user already had an active job, or none was named")}


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _paths() -> dict:
    return {**_admin_paths(), **_alert_paths(), **_service_paths()}


def _admin_paths() -> dict:
    job = _json(_ref("Job"), "the job")
    decision = {"responses": {"200": job}, "parameters": [_JOB_ID], "body": _body(_ref("Decision"), required=False),
                "errors": (400, 401, 403, 404, 409, 413)}
    list_parameters = [
        _query("user", "the user's address"),
        _query("status", "a job status", {"type": "string", "enum": list(JOB_STATUSES)}),
        _query("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 200}),
        _query("continuation", "from the previous page's nextLink"),
    ]
    return {
        "/api/remediations": {
            "post": _operation("Start a remediation (Remediation.Admin)", {
                "202": {**_json(_ref("Job"), "a new job"),
                        "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}},
                "200": _json(_ref("Job"), "the user's active job")},
                body=_body(_ref("RemediationRequest")), errors=(400, 401, 403, 413)),
            "get": _operation("List jobs, newest first (Remediation.Reader)",
                              {"200": _json(_ref("JobPage"), "a page of jobs")}, parameters=list_parameters),
        },
        "/api/remediations/{id}": {
            "get": _operation("One job (Remediation.Reader)", {"200": job}, parameters=[_JOB_ID],
                              errors=(401, 403, 404)),
        },
        "/api/remediations/{id}/approve": {
            "post": _operation("Approve a job awaiting approval (Remediation.Admin; 403 for the job's user and for "
                              "the admin who requested it)", **decision),
        },
        "/api/remediations/{id}/cancel": {
            "post": _operation("Cancel a job (Remediation.Admin)", **decision),
        },
        "/api/remediations/{id}/rollback": {
            "post": _operation("Roll back a false positive: restore what the job changed and can be restored (rules, "
                               "mailbox forwarding, delegates, app consents, legacy protocols; never the password, "
                               "sessions or auth methods, never a new block); a second rollback changes nothing "
                               "(Remediation.Admin)", {"200": job}, parameters=[_JOB_ID],
                               body=_body(_ref("RollbackRequest")), errors=(400, 401, 403, 404, 409, 413)),
        },
        "/api/restricted-senders": {
            "get": _operation("The blocked list with each sender's job (Remediation.Reader)",
                              {"200": _json(_ref("RestrictedSenders"), "the blocked senders")}, errors=(401, 403)),
        },
    }


def _alert_paths() -> dict:
    alert_intake = {"body": _body({"type": "object"}), "errors": (400, 401, 403, 413)}
    return {
        "/api/alerts/o365": {
            "post": _operation("Office 365 Management Activity API webhook (validation and notifications)",
                               {"200": {"description": "accepted (the Management API treats any other status as "
                                                       "a failure); refused items beside accepted ones are logged "
                                                       "and skipped; 400/403 mean every item was refused"}},
                               security=_WEBHOOK, body=_body({"type": "array", "items": _ref("ContentPointer")}),
                               errors=(400, 401, 403, 413)),
        },
        "/api/alerts/azure-monitor": {
            "post": _operation("Azure Monitor action group webhook, common alert schema (function key; a bearer "
                               "token, when sent, needs Alerts.Submit)", _ALERT_ANSWER,
                               security=_FUNCTION_KEY + _BEARER, **alert_intake),
        },
        "/api/alerts/sentinel": {
            "post": _operation("Sentinel incident forwarded by a playbook (Alerts.Submit)", _ALERT_ANSWER,
                               **alert_intake),
        },
    }


def _service_paths() -> dict:
    return {
        "/api/health": {
            "get": _operation("Health: storage and settings; deep=true (Remediation.Reader) probes permissions",
                              {"200": _json(_ref("Health"), "healthy"), "503": _json(_ref("Health"), "unhealthy")},
                              security=[{}, *_BEARER], errors=(401, 403),
                              parameters=[_query("deep", "probe Graph and Exchange permissions", {"type": "boolean"})]),
        },
        "/api/status": {
            "get": _operation("The mode, the circuit breaker's state this hour, and what the caller may do "
                              "(Remediation.Reader)",
                              {"200": _json(_ref("Status"), "the status")}, errors=(401, 403)),
        },
        "/api/openapi.json": {
            "get": _operation("This document", {"200": {"description": "OpenAPI 3 document"}}, security=[],
                              errors=()),
        },
    }


def _schemas() -> dict:
    string, nullable = {"type": "string"}, {"type": "string", "nullable": True}
    moment, boolean = {"type": "string", "format": "date-time"}, {"type": "boolean"}
    return {
        "RemediationRequest": {"type": "object", "additionalProperties": False, "required": ["user"], "properties": {
            "user": {"type": "string", "maxLength": MAX_ADDRESS_LENGTH,
                     "description": "an SMTP address (international ones included) or an Entra object id"},
            "reason": {"type": "string", "maxLength": 1000},
            "mode": {"type": "string", "enum": list(MODES)}, "force": boolean},
            "example": {"user": "adele@contoso.com", "reason": "phished", "mode": "dry-run"}},
        "Decision": {"type": "object", "additionalProperties": False,
                     "properties": {"comment": {"type": "string", "maxLength": 1000}}},
        "RollbackRequest": {"type": "object", "additionalProperties": False, "required": ["reason"], "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 1000},
            "items": {"type": "array", "maxItems": 20, "items": {"type": "string", "enum": list(RESTORABLE)},
                      "description": "the steps to restore; all restorable ones when absent"}},
            "example": {"reason": "false positive: the user sent a legitimate newsletter"}},
        "Step": {"type": "object", "properties": {
            "name": {"type": "string", "enum": list(STEP_NAMES)}, "status": string, "startedAt": nullable,
            "endedAt": nullable, "detail": string}},
        "Trigger": {"type": "object", "properties": {
            "source": string, "alertId": nullable, "requestedBy": nullable, "reason": nullable,
            "requestedById": nullable}},
        "Job": {"type": "object", "required": ["id", "user", "status", "mode", "trigger", "createdAt", "updatedAt",
                                               "steps"], "properties": {
            "id": string, "url": {"type": "string", "format": "uri"}, "user": string,
            "status": {"type": "string", "enum": list(JOB_STATUSES)}, "mode": {"type": "string", "enum": list(MODES)},
            "trigger": _ref("Trigger"), "createdAt": moment, "updatedAt": moment,
            "steps": {"type": "array", "items": _ref("Step")}, "evidence": _ref("Evidence"), "watch": _ref("Watch"),
            "linkedJobs": {"type": "array", "items": string,
                           "description": "the job a new block during the watch started, and the watched job"}}},
        **evidence_schemas(),
        "JobPage": {"type": "object", "properties": {
            "items": {"type": "array", "items": _ref("Job")},
            "nextLink": {"type": "string", "format": "uri", "nullable": True}}},
        "RestrictedSenders": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object", "additionalProperties": True}}}},
        "AlertJobs": {"type": "object", "properties": {"jobs": {"type": "array", "items": {
            "type": "object", "properties": {"id": string, "user": string, "status": string, "created": boolean,
                                             "url": string}}}}},
        "ContentPointer": {"type": "object", "required": ["tenantId", "contentId", "contentUri"], "properties": {
            "tenantId": string, "clientId": string, "contentType": string, "contentId": string,
            "contentUri": {"type": "string", "format": "uri"}, "contentCreated": string, "contentExpiration": string}},
        "Health": {"type": "object", "properties": {
            "status": {"type": "string", "enum": [HEALTHY, UNHEALTHY]}, "version": string,
            "checks": {"type": "object", "additionalProperties": {"type": "string", "enum": [HEALTHY, UNHEALTHY]}},
            "details": {"type": "object", "description": "deep=true only"}}},
        "Status": {"type": "object", "properties": {
            "mode": {"type": "string", "enum": ["dry-run", "enforce"]},
            "breaker": {"type": "object", "properties": {
                "open": {"type": "boolean"}, "automaticJobsThisHour": {"type": "integer"},
                "maxJobsPerHour": {"type": "integer"}}},
            "caller": {"type": "object", "properties": {"name": string, "admin": {"type": "boolean"}}}}},
        "Problem": {"type": "object", "properties": {
            "type": string, "title": string, "status": {"type": "integer"}, "detail": string}},
    }


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Restricted-sender responder", "version": VERSION,
                 "description": "Secures and unblocks Microsoft 365 users restricted from sending email."},
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": {"Problem": {"description": "an error", "content": {
                "application/problem+json": {"schema": _ref("Problem")}}}},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "Entra ID access token for API_AUDIENCE with an app role"},
                "functionKey": {"type": "apiKey", "in": "header", "name": "x-functions-key"},
                "webhookAuthId": {"type": "apiKey", "in": "header", "name": "Webhook-AuthID"},
            },
        },
    }
