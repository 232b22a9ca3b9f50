"""The Exchange admin API's protocol in the sandbox: naming, paging, each error shape, faults, the request log."""

from __future__ import annotations

import httpx
import pytest

from localdev.tenant import scenario as scenarios
from tests.conftest import load_event
from tests.plugins.sandbox import TEST_SCENARIO, keys

ADELE = "adele@contoso.com"


@pytest.fixture
def invoke(sandbox):
    """POST an InvokeCommand body (a cmdlet and its parameters) to the sandbox; the raw response."""
    with httpx.Client(base_url=f"{sandbox.url}/adminapi/beta", timeout=10) as client:
        def call(cmdlet: str, tenant: str = "", headers: dict | None = None, **parameters) -> httpx.Response:
            body = {"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}}
            return client.post(f"/{tenant or sandbox.tenant_id}/InvokeCommand", json=body, headers=headers)
        yield call


def failure(response: httpx.Response) -> list[str]:
    """`code|exceptionType|text` of an Exchange error, split."""
    return response.json()["error"]["details"][0]["message"].split("|", 2)


def test_cmdlet_and_parameter_names_are_case_insensitive(invoke):
    response = invoke("get-inboxrule", mailbox=ADELE, includehidden=True)
    assert response.status_code == 200 and len(response.json()["value"]) == 3


@pytest.mark.parametrize("tenant", ["9188040d-6c67-4c5b-b112-36a304b66dad", "contoso.com", "contoso.onmicrosoft.com"])
def test_the_tenant_is_named_by_guid_or_by_any_domain(invoke, tenant):
    response = invoke("Get-BlockedSenderAddress", tenant=tenant)
    assert response.status_code == 200 and len(response.json()["value"]) == 5


def test_another_tenant_is_refused(invoke):
    assert invoke("Get-BlockedSenderAddress", tenant="tailspin.example").status_code == 401


def test_results_page_by_next_link_that_the_client_posts_the_same_body_to(sandbox, invoke):
    scenario = scenarios.read(TEST_SCENARIO)
    scenario["exchange"]["pageSize"] = 2
    sandbox.load(scenario)
    body = {"CmdletInput": {"CmdletName": "Get-BlockedSenderAddress", "Parameters": {}}}
    page = invoke("Get-BlockedSenderAddress").json()
    senders, links = [entry["SenderAddress"] for entry in page["value"]], []
    while "@odata.nextLink" in page:
        links.append(page["@odata.nextLink"])
        page = httpx.post(links[-1], json=body).json()
        senders += [entry["SenderAddress"] for entry in page["value"]]
    assert links == [f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand?$skiptoken={n}" for n in (2, 4)]
    assert senders == [entry["SenderAddress"] for entry in scenario["blockedSenders"]]


def test_prefer_maxpagesize_makes_pages_smaller(invoke):
    page = invoke("Get-BlockedSenderAddress", headers={"Prefer": "odata.maxpagesize=3"}).json()
    assert len(page["value"]) == 3 and page["@odata.nextLink"].endswith("$skiptoken=3")


def test_an_unknown_object_is_a_500_in_the_documented_error_shape(invoke):
    sample = load_event("exchange/adminapi-error-objectnotfound.json")
    response = invoke("Get-Mailbox", Identity="nobody@contoso.com")
    assert response.status_code == 500
    assert keys(response.json()) == keys(sample)
    assert response.json()["error"]["code"] == sample["error"]["code"] == "InternalServerError"
    code, exception_type, text = failure(response)
    assert exception_type == "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    assert text.startswith("The operation couldn't be performed because object 'nobody@contoso.com' couldn't be found")


@pytest.mark.parametrize("cmdlet, parameters", [
    ("Remove-BlockedSenderAddress", {"SenderAddress": "megan@contoso.com"}),
    ("Get-InboxRule", {"Mailbox": ADELE, "Identity": "12345"}),
    ("Disable-InboxRule", {"Mailbox": "nobody@contoso.com", "Identity": "12345"}),
    ("Set-Mailbox", {"Identity": "nobody", "ForwardingSmtpAddress": None}),
])
def test_every_cmdlet_reports_a_missing_object_as_not_found(invoke, cmdlet, parameters):
    response = invoke(cmdlet, **parameters)
    assert response.status_code == 500 and failure(response)[1].endswith("ManagementObjectNotFoundException")


def test_past_the_unblock_limit_remove_fails_with_a_stable_exception_type(sandbox, invoke):
    scenario = scenarios.read(TEST_SCENARIO)
    scenario["exchange"]["unblockLimit"] = 1
    sandbox.load(scenario)
    assert invoke("Remove-BlockedSenderAddress", SenderAddress=ADELE).status_code == 200
    sandbox.control("POST", "blocks", {"sender": ADELE})
    response = invoke("Remove-BlockedSenderAddress", SenderAddress=ADELE)
    assert response.status_code == 500
    _, exception_type, text = failure(response)
    assert exception_type == "Microsoft.Exchange.Management.Hygiene.BlockedSenderUnblockLimitExceededException"
    assert "unblock limit" in text and "Microsoft Support" in text
    assert invoke("Get-BlockedSenderAddress", SenderAddress=ADELE).json()["value"] != []
    assert sandbox.state()["unblocks"] == {ADELE: 1}


def test_an_unknown_cmdlet_is_powershells_command_not_found(invoke):
    response = invoke("Get-Nothing")
    assert response.status_code == 400
    assert failure(response)[1:] == ["System.Management.Automation.CommandNotFoundException",
                                     "The term 'Get-Nothing' is not recognized as the name of a cmdlet, function, "
                                     "script file, or operable program. Check the spelling of the name, or if a path "
                                     "was included, verify that the path is correct and try again."]


def test_an_unknown_parameter_is_powershells_parameter_binding_error(invoke):
    response = invoke("Get-Mailbox", Identity=ADELE, Colour="blue")
    assert response.status_code == 400
    assert failure(response)[1:] == ["System.Management.Automation.ParameterBindingException",
                                     "A parameter cannot be found that matches parameter name 'Colour'."]


@pytest.mark.parametrize("cmdlet, parameters, problem", [
    ("Remove-BlockedSenderAddress", {}, "missing mandatory parameters: SenderAddress"),
    ("Remove-BlockedSenderAddress", {"SenderAddress": "not-an-address"}, "is not a valid SMTP address"),
    ("Get-InboxRule", {"Mailbox": ADELE, "IncludeHidden": "yes"}, "cannot be converted to System.Boolean"),
])
def test_parameters_are_bound_and_validated_before_the_cmdlet_runs(invoke, cmdlet, parameters, problem):
    response = invoke(cmdlet, **parameters)
    assert response.status_code == 400 and problem in failure(response)[2]


@pytest.mark.parametrize("content", [b"{not json", b'{"CmdletName": "Get-Mailbox"}'])
def test_a_body_exchange_cannot_read_is_400(sandbox, content):
    response = httpx.post(f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand", content=content,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadRequest"


def test_invoke_command_only_answers_post(sandbox):
    assert httpx.get(f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}/InvokeCommand").status_code == 405


def test_a_fault_matched_by_cmdlet_throttles_only_that_cmdlet(sandbox, invoke):
    sandbox.fault(kind="429", cmdlet="Remove-BlockedSenderAddress", retryAfter="2.5", count=1)
    assert invoke("Get-BlockedSenderAddress").status_code == 200
    throttled = invoke("Remove-BlockedSenderAddress", SenderAddress=ADELE)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2.5"
    assert sandbox.state()["unblocks"] == {}
    assert invoke("Remove-BlockedSenderAddress", SenderAddress=ADELE).status_code == 200


def test_the_request_log_records_the_cmdlet_and_its_parameters(sandbox, invoke):
    invoke("Disable-InboxRule", Mailbox=ADELE, Identity="..", Confirm=False)
    entry = sandbox.requests()[-1]
    assert (entry["method"], entry["status"], entry["cmdlet"]) == ("POST", 200, "Disable-InboxRule")
    assert entry["body"]["CmdletInput"]["Parameters"] == {"Mailbox": ADELE, "Identity": "..", "Confirm": False}


def test_result_size_limits_what_a_get_cmdlet_returns(invoke):
    assert len(invoke("Get-InboxRule", Mailbox=ADELE, IncludeHidden=True, ResultSize=2).json()["value"]) == 2
    assert len(invoke("Get-Mailbox", ResultSize="Unlimited").json()["value"]) == 7
    assert invoke("Get-Mailbox", ResultSize="lots").status_code == 400
