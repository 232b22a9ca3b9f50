"""The Exchange script: exactly the cmdlets the enabled features call, Mail.Send scoped, text quoted."""

from remediation.settings import Settings
from remediation.setup.exchange_script import quoted, script, trimmed_roles

NOTIFY = {"notify_sender": "secops@contoso.com", "notify_recipients": ("soc@contoso.com",)}


def test_the_roles_keep_exactly_the_cmdlets_the_app_calls():
    assert trimmed_roles(Settings()) == {
        "RSR Transport Hygiene": ["Get-BlockedSenderAddress", "Remove-BlockedSenderAddress"],
        "RSR Mail Recipients": ["Get-Mailbox", "Set-Mailbox", "Get-InboxRule", "Disable-InboxRule",
                                "Enable-InboxRule", "Get-MailboxPermission", "Get-RecipientPermission", "Get-Recipient",
                                "Remove-MailboxPermission", "Remove-RecipientPermission", "Add-MailboxPermission",
                                "Add-RecipientPermission", "Get-CASMailbox", "Set-CASMailbox"],
        "RSR Message Tracking": ["Get-MessageTraceV2"],
        "RSR Role Management": ["Get-ManagementRoleAssignment", "Get-ManagementRoleEntry",
                                "Test-ServicePrincipalAuthorization"]}


def test_set_mailbox_is_limited_to_the_forwarding_parameters():
    text = script(Settings(), "app", "object")
    assert ("Set-ManagementRoleEntry 'RSR Mail Recipients\\Set-Mailbox' -Parameters "
            "Identity,ForwardingSmtpAddress,ForwardingAddress,DeliverToMailboxAndForward") in text


def test_mail_send_is_scoped_to_the_notify_mailbox_only_when_the_summary_is_on():
    assert "Application Mail.Send" not in script(Settings(), "app", "object")
    text = script(Settings(**NOTIFY), "app", "object")
    assert "-RecipientRestrictionFilter 'PrimarySmtpAddress -eq ''secops@contoso.com'''" in text
    assert "-Role 'Application Mail.Send' -CustomResourceScope 'RSR notify sender'" in text


def test_the_cloud_picks_the_exchange_environment():
    assert "-ExchangeEnvironmentName O365USGovDoD" in script(Settings(azure_cloud="AzureUSGovernmentDoD"), "a", "o")


def test_a_value_is_a_literal_powershell_does_not_expand():
    assert quoted("$(Remove-Mailbox x)'; whoami") == "'$(Remove-Mailbox x)''; whoami'"
    text = script(Settings(notify_sender="o'brien@contoso.com", notify_recipients=("a@contoso.com",)), "a", "o")
    assert "-Resource 'o''brien@contoso.com'" in text
