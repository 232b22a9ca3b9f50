"""The sandbox's Get-CASMailbox / Set-CASMailbox over HTTP, in Exchange Online's documented shapes."""

from __future__ import annotations

import pytest

from tests.integration.sandbox.test_exchange_cmdlets import ADELE, exchange, run  # noqa: F401 - a fixture

PROTOCOLS = ("ActiveSyncEnabled", "OWAEnabled", "MAPIEnabled", "EwsEnabled")


def test_get_cas_mailbox_gives_the_protocol_switches(exchange):  # noqa: F811
    [box] = run(exchange, "Get-CASMailbox", Identity=ADELE)
    assert (box["SmtpClientAuthenticationDisabled"], box["PopEnabled"], box["ImapEnabled"]) == (False, True, True)
    assert box["PrimarySmtpAddress"] == ADELE and all(box[name] is True for name in PROTOCOLS)
    [megan] = run(exchange, "Get-CASMailbox", Identity="megan")
    assert megan["SmtpClientAuthenticationDisabled"] is None     # follows the organization's setting


def test_set_cas_mailbox_changes_only_what_it_names_and_takes_null_back_to_the_default(exchange):  # noqa: F811
    run(exchange, "Set-CASMailbox", Identity=ADELE, SmtpClientAuthenticationDisabled=True, PopEnabled=False)
    [box] = run(exchange, "Get-CASMailbox", Identity=ADELE)
    assert (box["SmtpClientAuthenticationDisabled"], box["PopEnabled"], box["ImapEnabled"]) == (True, False, True)
    run(exchange, "Set-CASMailbox", Identity=ADELE, SmtpClientAuthenticationDisabled=None)
    assert run(exchange, "Get-CASMailbox", Identity=ADELE)[0]["SmtpClientAuthenticationDisabled"] is None


@pytest.mark.parametrize("cmdlet, parameters, exception, message", [
    ("Get-CASMailbox", {"Identity": "nobody@contoso.com"}, "ManagementObjectNotFoundException",
     "'nobody@contoso.com' couldn't be found"),
    ("Set-CASMailbox", {"Identity": ADELE, "OWAEnabled": False}, "ParameterBindingException",
     "A parameter cannot be found that matches parameter name 'OWAEnabled'"),
    ("Set-CASMailbox", {"Identity": ADELE, "PopEnabled": "no"}, "ParameterArgumentTransformationError",
     "'no' cannot be converted to System.Boolean"),
])
def test_cas_cmdlets_fail_as_exchange_does(exchange, cmdlet, parameters, exception, message):  # noqa: F811
    response = exchange.post("/InvokeCommand", json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})
    assert response.status_code in (400, 500)
    assert exception in response.text and message in response.text
