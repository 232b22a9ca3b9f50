"""Graph security alerts (alerts_v2) in the sandbox: the documented shape, $filter, $top and paging."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import load_event


def _alert(number: int, source: str, created: str) -> dict:
    alert = copy.deepcopy(load_event("graph/alerts_v2-list-response.json")["value"][0])
    alert.update(id=f"da6375512276775608{number:02d}_-961444813", serviceSource=source, createdDateTime=created,
                 lastUpdateDateTime=created)
    return alert


@pytest.fixture
def alerts(sandbox) -> list[dict]:
    scenario = sandbox.scenario()
    scenario["alerts"] = [_alert(n, "microsoftDefenderForOffice365" if n % 2 else "microsoftDefenderForEndpoint",
                                 f"2026-11-2{n}T10:00:00Z") for n in range(1, 6)]
    sandbox.load(scenario)
    return scenario["alerts"]


def test_list_has_the_documented_shape(sandbox_graph):
    sample = load_event("graph/alerts_v2-list-response.json")
    body = sandbox_graph.get("/security/alerts_v2").json()
    assert body["@odata.context"].endswith("$metadata#security/alerts_v2")
    assert set(body["value"][0]) <= set(sample["value"][0]) | {"@odata.type"}
    assert body["value"][0]["title"] == "User restricted from sending email"


def test_a_stored_alert_comes_back_unchanged(sandbox_graph, alerts):
    assert sandbox_graph.get("/security/alerts_v2").json()["value"] == alerts


def test_filter_on_service_source_and_created_time(sandbox_graph, alerts):
    response = sandbox_graph.get("/security/alerts_v2", params={
        "$filter": "serviceSource eq 'microsoftDefenderForOffice365' and createdDateTime ge 2026-11-22T00:00:00Z"})
    assert response.status_code == 200
    assert [alert["createdDateTime"] for alert in response.json()["value"]] == [
        "2026-11-23T10:00:00Z", "2026-11-25T10:00:00Z"]


@pytest.mark.parametrize(("clause", "count"), [
    ("lastUpdateDateTime gt 2026-11-23T10:00:00Z", 2), ("lastUpdateDateTime lt 2026-11-23T10:00:00Z", 2),
    ("createdDateTime le 2026-11-23T10:00:00Z", 3), ("createdDateTime eq 2026-11-23T10:00:00Z", 1),
])
def test_datetime_comparisons(sandbox_graph, alerts, clause, count):
    assert len(sandbox_graph.get("/security/alerts_v2", params={"$filter": clause}).json()["value"]) == count


def test_top_pages_with_a_next_link_that_keeps_the_filter(sandbox_graph, alerts):
    query = {"$filter": "createdDateTime ge 2026-11-22T00:00:00Z", "$top": "2"}
    seen, url, pages = [], "/security/alerts_v2", 0
    body = sandbox_graph.get(url, params=query).json()
    while True:
        pages += 1
        seen += [alert["id"] for alert in body["value"]]
        if "@odata.nextLink" not in body:
            break
        body = sandbox_graph.get(body["@odata.nextLink"]).json()
    assert pages == 2 and seen == [alert["id"] for alert in alerts[1:]]


def test_filter_on_an_unsupported_property_is_400(sandbox_graph):
    response = sandbox_graph.get("/security/alerts_v2",
                                 params={"$filter": "title eq 'User restricted from sending email'"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadRequest"


def test_a_quoted_datetime_is_graphs_type_error(sandbox_graph):
    response = sandbox_graph.get("/security/alerts_v2", params={"$filter": "createdDateTime ge '2026-11-20T00:00:00Z'"})
    assert response.status_code == 400
    assert "incompatible types" in response.json()["error"]["message"]


def test_an_unknown_service_source_is_400(sandbox_graph):
    response = sandbox_graph.get("/security/alerts_v2", params={"$filter": "serviceSource eq 'exchangeOnline'"})
    assert response.status_code == 400


def test_a_skiptoken_that_is_not_ours_is_400(sandbox_graph):
    assert sandbox_graph.get("/security/alerts_v2", params={"$skiptoken": "RFNwdAoAAQAAAA"}).status_code == 400


def test_top_beyond_the_limit_is_400(sandbox_graph):
    assert sandbox_graph.get("/security/alerts_v2", params={"$top": "2001"}).status_code == 400


def test_alerts_need_security_alert_permission(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["SecurityAlert.Read.All"]
    sandbox.load(scenario)
    assert sandbox_graph.get("/security/alerts_v2").json()["error"]["code"] == "Authorization_RequestDenied"


def test_get_one_alert_answers_the_documented_sample(sandbox, sandbox_graph):
    sample = load_event("graph/alerts_v2-get-response.json")
    stored = {key: value for key, value in sample.items() if key != "@odata.context"}
    scenario = sandbox.scenario()
    scenario["alerts"] = [stored]
    sandbox.load(scenario)
    response = sandbox_graph.get(f"/security/alerts_v2/{stored['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("@odata.context").endswith("$metadata#security/alerts_v2/$entity")
    assert body == stored
    assert sandbox_graph.get("/security/alerts_v2/da000000000000000000_0").status_code == 404
