"""The requests docs/DEPLOY.md tells an admin to configure, sent as written, against the app on the local host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.support import ALERTS_SUBMIT, azure_monitor_alert

pytestmark = pytest.mark.e2e

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"
ADELE = "adele@contoso.com"


def documented_azure_monitor_uri(e2e) -> str:
    """The Secure Webhook URI of the guide, its placeholders filled in as azd and the host would."""
    [template] = set(re.findall(r"<AZURE_MONITOR_WEBHOOK_URL>\?code=<function key>", GUIDE.read_text()))
    return template.replace("<AZURE_MONITOR_WEBHOOK_URL>", f"{e2e.url}/api/alerts/azure-monitor").replace(
        "<function key>", e2e.settings["FUNCTIONS_KEY"])


def test_the_documented_secure_webhook_request_starts_a_job(e2e):
    e2e.raise_alert(ADELE)
    headers = e2e.bearer(ALERTS_SUBMIT, upn=None, app_displayname="Azure Monitor action group")
    response = e2e.http.post(documented_azure_monitor_uri(e2e), json=azure_monitor_alert(ADELE), headers=headers)
    assert response.status_code == 202, response.text
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["requestedBy"].startswith("Azure Monitor action group (")


def test_the_uri_without_its_key_is_refused_before_the_app_runs(e2e):
    uri = documented_azure_monitor_uri(e2e).split("?")[0]
    response = e2e.http.post(uri, json=azure_monitor_alert(ADELE), headers=e2e.bearer(ALERTS_SUBMIT))
    assert response.status_code == 401
    assert e2e.jobs() == []
