"""One alert, one job: the O365 webhook's record (AlertId) and the alerts_v2 poll's alert
(providerAlertId; its id is the same GUID prefixed "fa") are the same alert, in either order."""

from __future__ import annotations

import pytest

from remediation.gateways import graph_shapes
from remediation.services.intake import alert_claim_key
from tests.plugins.playbook import ADELE
from tests.unit.playbook.test_service import FakeManagement, alert_record

GUID = "410e4342-4bfc-80a3-9600-08dd53ec811c"


def graph_alert(provider_alert_id: str) -> dict:
    """The alerts_v2 shape of a Defender for Office 365 alert (id = "fa" + providerAlertId)."""
    return {"id": f"fa{provider_alert_id.lower()}", "providerAlertId": provider_alert_id,
            "title": "User restricted from sending email", "lastUpdateDateTime": "2026-11-28T07:55:00Z",
            "evidence": [{"@odata.type": "#microsoft.graph.security.userEvidence",
                          "userAccount": {"userPrincipalName": ADELE}}]}


async def through_the_webhook(playbook, alert_id: str) -> None:
    worker = playbook.worker()
    worker.worker.management = FakeManagement([alert_record(ADELE, alert_id)])
    await worker.worker.handle({"kind": "fetch_content", "contentId": f"c-{alert_id}",
                                "contentUri": "https://manage.office.com/x"}, 1, 5)


async def through_the_poll(playbook, provider_alert_id: str) -> None:
    async def security_alerts(since, source):
        return [graph_shapes.security_alert(graph_alert(provider_alert_id))]
    playbook.tenant.directory.security_alerts = security_alerts
    await playbook.service.schedules.poll_security_alerts()


@pytest.mark.parametrize("first, second", [(through_the_webhook, through_the_poll),
                                           (through_the_poll, through_the_webhook)])
async def test_one_alert_by_both_paths_makes_one_job_even_after_it_ended(playbook, first, second):
    await first(playbook, GUID)
    await playbook.work()                                          # the first job ends before the second path
    [(job, _)] = playbook.store.jobs.values()
    assert job["status"] == "awaiting_release" and job["trigger"]["alertId"] == GUID
    await second(playbook, GUID.upper())                           # a GUID, whatever its case
    assert len(playbook.store.jobs) == 1


def test_the_claim_is_shared_by_the_two_microsoft_365_paths_only():
    assert alert_claim_key("o365", GUID, ADELE) == alert_claim_key("alerts_v2", GUID.upper(), ADELE)
    assert alert_claim_key("sentinel", GUID, ADELE) != alert_claim_key("azure-monitor", GUID, ADELE)
    assert alert_claim_key("sentinel", GUID, ADELE) != alert_claim_key("o365", GUID, ADELE)
