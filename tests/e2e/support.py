"""What the end-to-end tests share besides fixtures (tests/plugins/e2e.py has those): the app under
test, an `EndToEnd` driver for one test, polling with a deadline, and alert payloads built from the
documented samples in tests/events/intake/.

An `EndToEnd`:

        .http                   httpx.Client on the app's root URL
        .sandbox                the `Sandbox` of tests/plugins/sandbox.py
        .bearer(*roles, **claims)       Authorization header with a sandbox token for our audience
        .jobs(user=None)        the jobs this test started (read through the admin API), oldest first
        .all_jobs(user=None)    every job of the module's table, in the API's order
        .wait_for_job(user, status)     polls until this test's one job for `user` reaches `status`
        .subscribe_o365()       subscribes the sandbox's Management API (Audit.General) to the app's webhook
        .queue_depth(), .poison()       the module's queue (visible and hidden messages), its poison queue
        .clear_queue()          drops the queue's messages
        .outbound(), .mails(subject)    the calls the app made to the tenant, the mails it sent through it
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any, Iterable

import httpx
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient

from localdev.run import AUDIENCE
from tests.conftest import load_event
from tests.plugins.host import HostProcess
from tests.plugins.sandbox import Sandbox
from tests.polling import wait_for

ADMIN_UPN = "admin@contoso.com"
ADMIN, READER, ALERTS_SUBMIT = "Remediation.Admin", "Remediation.Reader", "Alerts.Submit"
BREAKER_MAIL = "[Breaker open] automatic remediation paused"
TERMINAL = ("resolved", "escalated", "failed", "cancelled", "planned")


def azure_monitor_alert(*users: str) -> dict:
    """The documented common-schema log alert (a new alertId), its dimensions naming the users
    (AZURE_MONITOR_USER_FIELD)."""
    payload = load_event("intake/azure-monitor/common-schema_log-search-alert-v2_full-payload.json")
    essentials = payload["data"]["essentials"]
    essentials["alertId"] = essentials["alertId"].rpartition("/")[0] + f"/{uuid.uuid4()}"
    [criterion] = payload["data"]["alertContext"]["condition"]["allOf"]
    criterion["dimensions"] = [{"name": "UserPrincipalName", "value": user} for user in users]
    return payload


def sentinel_incident(user: str) -> dict:
    """The documented incident trigger body, titled like the alert, its Account and Mailbox naming the user."""
    body = load_event("intake/sentinel/incident-trigger-body.template.json")
    incident = body["object"]
    incident["name"] = str(uuid.uuid4())
    incident["properties"]["title"] = "User restricted from sending email"
    account, mailbox = incident["properties"]["relatedEntities"]
    name, _, domain = user.partition("@")
    account["properties"].update(accountName=name, upnSuffix=domain)
    mailbox["properties"].update(upn=user, mailboxPrimaryAddress=user)
    return body


class AppUnderTest:
    """The host process of one test module and the settings it runs with."""

    def __init__(self, host: HostProcess, settings: dict[str, str]) -> None:
        self.host = host
        self.settings = settings
        self.url = host.url


class EndToEnd:
    """One test's hold on the app (over HTTP), its tenant (the sandbox's control API) and its queue."""

    def __init__(self, app: AppUnderTest, sandbox: Sandbox) -> None:
        self.app = app
        self.url = app.url
        self.sandbox = sandbox
        self.settings = app.settings
        self.http = httpx.Client(base_url=app.url, timeout=15)
        self._reader = self.bearer(READER)
        self._queue = QueueClient.from_connection_string(app.settings["AzureWebJobsStorage"],
                                                         app.settings["REMEDIATION_QUEUE"])
        self._poison = QueueClient.from_connection_string(app.settings["AzureWebJobsStorage"],
                                                          app.settings["REMEDIATION_QUEUE"] + "-poison")
        self._earlier = {job["id"] for job in self.all_jobs()}   # jobs of the module's previous tests

    def close(self) -> None:
        self.http.close()
        self._queue.close()
        self._poison.close()

    # -- calls ------------------------------------------------------------------------------------

    def token(self, *roles: str, **claims: Any) -> str:
        return self.sandbox.token(**{"aud": AUDIENCE, "roles": list(roles), "upn": ADMIN_UPN, **claims})

    def bearer(self, *roles: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **claims)}"}

    def subscribe_o365(self) -> None:
        """What an admin does once (and run.py does): the Management API validates the webhook first."""
        feed = f"{self.sandbox.url}/api/v1.0/{self.sandbox.tenant_id}/activity/feed"
        webhook = {"address": f"{self.url}/api/alerts/o365", "authId": self.settings["O365_WEBHOOK_AUTH_ID"],
                   "expiration": ""}
        response = httpx.post(f"{feed}/subscriptions/start", params={"contentType": "Audit.General"},
                              json={"webhook": webhook}, timeout=15)
        assert response.status_code == 200, response.text
        assert response.json()["webhook"]["status"] == "enabled"

    def raise_alert(self, user: str, *, notify: bool = True) -> dict:
        """The sandbox blocks `user` and raises "User restricted from sending email" (notifying the webhook)."""
        return self.sandbox.control("POST", "alerts/restricted-sender", {"user": user, "notify": notify}).json()

    # -- jobs -------------------------------------------------------------------------------------

    def all_jobs(self, user: str | None = None) -> list[dict]:
        params = {"limit": "200", **({"user": user} if user else {})}
        response = self.http.get("/api/remediations", params=params, headers=self._reader)
        assert response.status_code == 200, response.text
        page = response.json()
        items = page["items"]
        while page["nextLink"]:
            page = httpx.get(page["nextLink"], headers=self._reader, timeout=15).json()
            items += page["items"]
        return items

    def jobs(self, user: str | None = None) -> list[dict]:
        """The jobs started since this test began, oldest first."""
        found = [job for job in self.all_jobs(user) if job["id"] not in self._earlier]
        return sorted(found, key=lambda job: (job["createdAt"], job["id"]))

    def job(self, job_id: str) -> dict:
        response = self.http.get(f"/api/remediations/{job_id}", headers=self._reader)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_job(self, user: str, status: str | Iterable[str], timeout: float = 20.0) -> dict:
        """This test's one job for `user`, once its status is `status` (failing at once on another end)."""
        wanted = {status} if isinstance(status, str) else set(status)
        last: list[dict] = []

        def settled() -> dict | None:
            nonlocal last
            last = self.jobs(user)
            assert len(last) <= 1, f"more than one job for {user}: {json.dumps(last, indent=1)}"
            if last and last[0]["status"] in TERMINAL and last[0]["status"] not in wanted:
                raise AssertionError(f"the job ended {last[0]['status']}: {json.dumps(last[0], indent=1)}")
            return last[0] if last and last[0]["status"] in wanted else None

        return wait_for(settled, timeout, lambda: f"a job for {user} in {sorted(wanted)}; last seen: "
                                                  f"{json.dumps(last, indent=1)}")

    # -- storage and the tenant -------------------------------------------------------------------

    def queue_depth(self) -> int:
        """Messages on the module's queue, hidden ones (a pending follow-up) included."""
        try:
            return self._queue.get_queue_properties().approximate_message_count
        except ResourceNotFoundError:   # the app creates it with its first message; the host does not
            return 0

    def expiries_pending(self) -> int:
        """The approval_timeout messages still hidden on the queue: one per hold of this test's jobs
        (a dry run only notes holds) that has not expired yet."""
        decisions = [entry["decision"] for job in self.jobs() if job["mode"] != "dry-run"
                     for entry in job["decisions"]]
        return decisions.count("hold") - decisions.count("expire")

    def watches_pending(self) -> int:
        """The watch checks still hidden on the queue: one per job still watched (WATCH_INTERVAL_SECONDS)."""
        return sum(1 for job in self.jobs() if (job.get("watch") or {}).get("outcome") == "watching")

    def clear_queue(self) -> None:
        try:
            self._queue.clear_messages()
        except ResourceNotFoundError:   # the host creates the queue with its first message
            pass

    def poison(self) -> list[dict]:
        """The messages on `<queue>-poison`, decoded (base64 JSON, as the host moved them)."""
        try:
            messages = self._poison.peek_messages(max_messages=32)
        except ResourceNotFoundError:   # the host creates it with the first poison message
            return []
        return [json.loads(base64.b64decode(message.content)) for message in messages]

    def outbound(self) -> list[dict]:
        """Every call the app made to the tenant since this test reset it."""
        return self.sandbox.requests()

    def mails(self, subject: str) -> list[dict]:
        """The mails the app sent through the tenant whose subject contains `subject`."""
        return [mail for mail in self.sandbox.state()["outbox"] if subject in mail["message"]["subject"]]

    def log_lines(self, pattern: str, since: int = 0) -> list[str]:
        """The host's output lines from line `since` on that match `pattern`."""
        expression = re.compile(pattern)
        return [line for line in self.app.host.output[since:] if expression.search(line)]



def breaker_mail_hours(e2e: EndToEnd) -> list[str]:
    """The UTC hour (YYYYMMDDHH) each breaker mail was sent for, in the order they were sent."""
    return [re.search(r"\(hour (\d{10}) UTC\)", mail["message"]["body"]["content"])[1]
            for mail in e2e.mails(BREAKER_MAIL)]
