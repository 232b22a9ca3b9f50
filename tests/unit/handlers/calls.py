"""Real azure.functions requests for the handlers, and what their answers hold."""

from __future__ import annotations

import json

import azure.functions as func

BASE = "https://responder.example.net"


def http_request(method: str, path: str, *, body: object = None, raw: bytes | None = None,
                 headers: dict[str, str] | None = None, params: dict[str, str] | None = None,
                 route_params: dict[str, str] | None = None) -> func.HttpRequest:
    data = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
    return func.HttpRequest(method, f"{BASE}{path}", headers={"Content-Type": "application/json", **(headers or {})},
                            params=params or {}, route_params=route_params or {}, body=data)


def json_of(response: func.HttpResponse) -> dict:
    assert response.mimetype == "application/json"
    return json.loads(response.get_body())


def problem_of(response: func.HttpResponse) -> dict:
    """The problem body, checked for its shape: never a traceback."""
    assert response.mimetype == "application/problem+json"
    problem = json.loads(response.get_body())
    assert set(problem) == {"type", "title", "status", "detail"} and problem["status"] == response.status_code
    assert "Traceback" not in problem["detail"]
    return problem
