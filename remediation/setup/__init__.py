"""Tenant setup as code: `python -m remediation.setup` (also azd's postprovision hook).

Signed in as the deploying admin (azure-identity), it makes the tenant match what the enabled
features need (remediation/permissions.py) and changes nothing that already matches:

    api_app.py         the API app registration (identifier URI, app roles) and its service principal;
                       its application id is API_AUDIENCE
    grants.py          the managed identity's application permissions and its directory role
    exchange_script.py the Exchange part, which Graph cannot do, as a ready PowerShell script
    __main__.py        the command: plan, apply (or --dry-run), the Management API subscription, azd env
"""
