"""The admin console in a real browser (Debian's Chromium, driven by Playwright) against the
`make run` stack: Azurite, the sandbox tenant (with its HTTPS sign-in listener) and the app on
the local host. Sign-in goes through MSAL and the sandbox's /authorize and /token, as in Azure.

Without Chromium the tests are skipped (saying why), except in CI, where that is a failure.
Screenshots land in $CONSOLE_SCREENSHOTS, else in a temporary folder: `make screenshots` sets it
to docs/screenshots/ (the README shows them), so a test run leaves the checkout unchanged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import httpx
import pytest

from localdev.run import sandbox_scenario
from localdev.tenant import scenario as scenarios
from localdev.tenant.server import BackgroundSandbox
from tests.plugins.e2e import base_settings, host_json
from tests.plugins.host import start_host_process

pytestmark = pytest.mark.e2e
DEMO, PROTECTED = "adele@contoso.com", "megan@contoso.com"
WAITING = "lee@contoso.com"   # blocked, and no job yet: the sweep's timer does not fire here
ATTACKER_RULE = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 30_000
JOB_TIMEOUT_MS = 90_000   # a job's run and follow-up on a loaded machine


def chromium() -> str:
    found = next((path for path in map(shutil.which, ("chromium", "chromium-browser")) if path), None)
    if found:
        return found
    reason = "Chromium is not installed (apt-get install chromium, as root: `make test` does it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


def tenant() -> dict:
    """The demo tenant with Adele, Megan and Lee on the blocked list, and an attacker's forwarding rule
    named like markup on Megan's (protected) mailbox."""
    scenario = scenarios.read(scenarios.SCENARIOS / "demo.yaml")
    [megan] = [user for user in scenario["users"] if user["userPrincipalName"] == PROTECTED]
    megan["inboxRules"] = [{"id": "AQAAAJ5dZqk=", "displayName": ATTACKER_RULE, "sequence": 1,
                            "actions": {"forwardTo": [{"emailAddress": {"address": "drop@mailbox.example"}}]}}]
    scenario["blockedSenders"] = [{"SenderAddress": user, "Reason": "ExceedingLimitType=ExternalRecipients",
                                   "CreatedDatetime": "now-30m", "ChangedDatetime": "now-30m", "TemporaryBlock": False}
                                  for user in (DEMO, PROTECTED, WAITING)]
    return scenario


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser_executable() -> str:
    """Checked before anything starts: without a browser there is nothing to start."""
    return chromium()


@pytest.fixture(scope="module")
def stack(browser_executable, shots, azurite, tmp_path_factory):
    playwright_api = pytest.importorskip("playwright.sync_api")
    playwright_api.expect.set_options(timeout=TIMEOUT_MS)   # a loaded machine answers slowly, not wrongly
    folder: Path = tmp_path_factory.mktemp("console-host")
    (folder / "host.json").write_text(json.dumps(host_json({})))
    (folder / "empty.settings.json").write_text('{"IsEncrypted": false, "Values": {}}')
    sandbox = BackgroundSandbox(tenant(), tls_port=0).start()
    tenant_id = tenant()["tenant"]["id"]
    names = "c" + uuid.uuid4().hex[:12]
    settings = {**base_settings(azurite.connection_string, sandbox.url, tenant_id, names),
                "PROTECTED_ACCOUNTS": PROTECTED, "CONSOLE_LOGIN_BASE_URL": sandbox.tls_url}
    host = start_host_process(settings, settings_file=folder / "empty.settings.json", cwd=folder)
    httpx.post(f"{sandbox.url}/_sandbox/scenario", json=sandbox_scenario(tenant(), host.url)).raise_for_status()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_executable, args=["--no-sandbox"])
        yield {"app": host.url, "sandbox": sandbox.url, "browser": browser, "expect": playwright_api.expect,
               "shots": shots}
        browser.close()
    host.stop()
    sandbox.stop()


def signed_in(stack, user: str, role: str, width: int = 1280):
    """A fresh browser page signed in through the sandbox's authorize page; every dialog is recorded."""
    context = stack["browser"].new_context(ignore_https_errors=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.dialogs, page.console_errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(
        f"{message.text} ({message.location.get('url')})"))
    page.goto(stack["app"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("User").select_option(user)
    page.get_by_label("App role").select_option(role)
    page.get_by_role("button", name="Sign in").click()
    stack["expect"](page.locator("#who")).to_contain_text(user, timeout=TIMEOUT_MS)
    return page


def test_an_admin_watches_the_demo_job_resolve_and_reads_its_timeline(stack):
    page = signed_in(stack, "secops@contoso.com", "Remediation.Admin")
    expect = stack["expect"]
    expect(page.locator("#status")).to_contain_text("Mode: enforce")
    expect(page.locator("#status")).to_contain_text("Breaker closed")
    start_job(page, DEMO, "demo: the sandbox blocked Adele")
    expect(page.get_by_role("heading", name=f"Job for {DEMO}")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".summary")).to_be_visible()
    expect(page.get_by_text("Status: resolved")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    steps = page.get_by_role("table", name="Steps")
    expect(steps).to_contain_text("reset_password")
    changes = page.get_by_role("table", name="Changes: before and after")
    expect(changes).to_contain_text("invoices.adele@mailbox.example")
    expect(page.get_by_role("table", name="Audit trail")).to_contain_text("remove blocked sender")
    expect(page.get_by_text("started by admin (secops@contoso.com")).to_be_visible()
    page.screenshot(path=str(stack["shots"] / "console-timeline.png"), full_page=True)
    page.goto(f"{stack['app']}/#/senders")
    expect(page.get_by_role("heading", name="Restricted senders")).to_be_visible()
    assert page.dialogs == [] and page.console_errors == []   # a CSP violation would be reported here


def test_the_token_stays_in_msals_session_cache_never_in_the_url_or_local_storage(stack):
    page = signed_in(stack, "megan@contoso.com", "Remediation.Reader")
    assert not re.search(r"code=|token=|#.*state=", page.url)
    assert page.evaluate("window.localStorage.length") == 0
    stored = page.evaluate("Object.keys(window.sessionStorage).join(' ')")
    assert "accesstoken" in stored.lower()
    page.get_by_role("button", name="Sign out").click()
    stack["expect"](page.get_by_role("button", name="Sign in")).to_be_visible()
    assert "accesstoken" not in page.evaluate("Object.keys(window.sessionStorage).join(' ')").lower()


def tab_to(page, target, presses: int = 12) -> None:
    """Press Tab until `target` has the focus: it is reachable from the keyboard."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reached with {presses} Tab presses")


def start_job(page, user: str, reason: str) -> None:
    page.get_by_role("link", name="Jobs").click()
    page.get_by_label("User to remediate").fill(user)
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Start a job").click()


def test_an_admin_approves_a_protected_accounts_job_and_attacker_text_stays_text(stack):
    requester = signed_in(stack, "secops@contoso.com", "Remediation.Admin")
    expect = stack["expect"]
    start_job(requester, PROTECTED, "phishing report")
    expect(requester.get_by_text("Status: awaiting_approval")).to_be_visible(timeout=TIMEOUT_MS)
    # The admin who started the job may not approve it: a second admin does.
    page = signed_in(stack, "alex@contoso.com", "Remediation.Admin")
    page.goto(requester.url)
    expect(page.get_by_text("Status: awaiting_approval")).to_be_visible(timeout=TIMEOUT_MS)
    page.screenshot(path=str(stack["shots"] / "console-approval.png"), full_page=True)
    # From the keyboard: the comment, then Tab to Approve and Enter.
    page.get_by_label("Comment (why)").fill("confirmed with her manager")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Approve")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Decisions")).to_contain_text("confirmed with her manager",
                                                                        timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"Status: (resolved|awaiting_release|escalated)"))).to_be_visible(
        timeout=JOB_TIMEOUT_MS)
    # The rule's name is in the snapshot and the audit trail, as text: no image, no script, no dialog.
    expect(page.get_by_role("table", name="Audit trail")).to_contain_text(ATTACKER_RULE)
    assert page.locator("img").count() == 0
    assert page.dialogs == []


def test_a_reader_sees_but_cannot_act(stack):
    page = signed_in(stack, "alex@contoso.com", "Remediation.Reader", width=390)
    expect = stack["expect"]
    expect(page.locator("#who")).to_contain_text("reader (read only)")
    senders = page.get_by_role("table", name="Blocked now")
    expect(senders.get_by_role("row", name=WAITING)).to_contain_text("no job", timeout=TIMEOUT_MS)
    page.screenshot(path=str(stack["shots"] / "console-reader-390.png"), full_page=True)
    tab_to(page, page.get_by_role("link", name="Jobs"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Jobs")).to_contain_text(DEMO)
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("button", name="Start a job")).to_have_count(0)
    page.get_by_role("table", name="Jobs").get_by_role("link", name=PROTECTED).click()
    expect(page.get_by_role("table", name="Steps")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel the job")).to_have_count(0)
