"""What Exchange RBAC grants the app, read through the admin API's InvokeCommand.

    Get-ManagementRoleAssignment -RoleAssignee <app>   the roles assigned to it (through its role group)
    Get-ManagementRoleEntry -Identity "*\\<cmdlet>"     the roles that hold a cmdlet
    Test-ServicePrincipalAuthorization -Identity <app> -Resource <mailbox>
                                                       RBAC for Applications: is the mailbox in scope

Each of these cmdlets must itself be in the app's role group (the Exchange script adds them);
without one, Exchange answers CommandNotFoundException, which the client raises as PermissionError_.
"""

from __future__ import annotations

from remediation.gateways.exchange import ExchangeAdminClient


class ExchangeRbac:
    def __init__(self, exchange: ExchangeAdminClient) -> None:
        self.exchange = exchange

    async def assigned_roles(self, identity: str) -> set[str]:
        found = await self.exchange.invoke("Get-ManagementRoleAssignment", {"RoleAssignee": identity})
        return {str(item.get("Role") or "") for item in found if item.get("Enabled", True) is not False}

    async def roles_holding(self, cmdlet: str) -> set[str]:
        found = await self.exchange.invoke("Get-ManagementRoleEntry", {"Identity": f"*\\{cmdlet}"})
        return {str(item.get("Role") or "") for item in found}

    async def may_send_as(self, identity: str, mailbox: str, permission: str = "Mail.Send") -> bool:
        rows = await self.exchange.invoke("Test-ServicePrincipalAuthorization",
                                          {"Identity": identity, "Resource": mailbox})
        return any(permission in str(row.get("GrantedPermissions") or "") and str(row.get("InScope")).lower() == "true"
                   for row in rows)
