"""Graph's directory routes: users (one, or a list by `$filter`), password reset, sessions, group membership,
auth methods, domains."""

from __future__ import annotations

import string

from localdev.tenant import graph_filter, odata
from localdev.tenant.graph_router import GraphCall, GraphReply, Route, require_permission

# The user's structural properties (docs' JSON representation of microsoft.graph.user).
USER_PROPERTIES = (
    "aboutMe accountEnabled ageGroup assignedLicenses assignedPlans birthday businessPhones city companyName "
    "consentProvidedForMinor country createdDateTime creationType department displayName employeeHireDate employeeId "
    "employeeOrgData employeeType faxNumber givenName hireDate id identities imAddresses interests isResourceAccount "
    "jobTitle legalAgeGroupClassification licenseAssignmentStates lastPasswordChangeDateTime mail mailboxSettings "
    "mailNickname mobilePhone mySite officeLocation onPremisesDistinguishedName onPremisesDomainName "
    "onPremisesExtensionAttributes onPremisesImmutableId onPremisesLastSyncDateTime onPremisesProvisioningErrors "
    "onPremisesSamAccountName onPremisesSecurityIdentifier onPremisesSyncEnabled onPremisesUserPrincipalName "
    "otherMails "
    "passwordPolicies passwordProfile pastProjects postalCode preferredLanguage preferredName provisionedPlans "
    "proxyAddresses responsibilities schools showInAddressList signInSessionsValidFromDateTime skills state "
    "streetAddress surname usageLocation userPrincipalName userType").split()
# What GET /users/{id} returns without $select (v1.0); accountEnabled and onPremisesSyncEnabled are not among them.
DEFAULT_USER_PROPERTIES = ("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                           "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id")
_LIST_PROPERTIES = {"businessPhones", "imAddresses", "interests", "otherMails", "pastProjects", "proxyAddresses",
                    "responsibilities", "schools", "skills", "assignedLicenses", "assignedPlans", "identities",
                    "licenseAssignmentStates", "onPremisesProvisioningErrors", "provisionedPlans"}
_READ_ONLY = {"id", "createdDateTime", "creationType", "lastPasswordChangeDateTime", "signInSessionsValidFromDateTime",
              "assignedPlans", "provisionedPlans", "licenseAssignmentStates", "mailboxSettings", "proxyAddresses"} | {
    name for name in USER_PROPERTIES if name.startswith("onPremises")}
# Properties Entra lets a cloud app change on a user mastered on-premises.
_CLOUD_WRITABLE = {"usageLocation", "preferredLanguage", "aboutMe", "birthday", "interests", "mySite", "pastProjects",
                   "responsibilities", "schools", "skills", "passwordPolicies"}
MAX_TOP = 999   # Graph's largest $top for users
PASSWORD_PERMISSION = "User-PasswordProfile.ReadWrite.All"
ENABLE_PERMISSION = "User.EnableDisableAccount.All"
PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490"   # the id Graph gives every user's password method
_SYMBOLS = set("@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ")
SYNCED_MESSAGE = ("Unable to update the specified properties for on-premises mastered Directory Sync objects or "
                  "objects currently undergoing migration.")
COMPLEXITY_MESSAGE = ("The specified password does not comply with password complexity requirements. "
                      "Please provide a different password.")


def find_user(call: GraphCall, key: str) -> dict:
    user = call.state.user(key)
    if user is None:
        raise odata.not_found(key)
    return user


def _selected(call: GraphCall) -> tuple[list[str] | None, list[str] | tuple[str, ...]]:
    """`$select`'s properties (None when absent), and the properties to return."""
    selected = odata.select(call.query, USER_PROPERTIES, "microsoft.graph.user")
    return selected, selected or DEFAULT_USER_PROPERTIES


def _user_body(record: dict, names: list[str] | tuple[str, ...]) -> dict:
    return {name: record.get(name, [] if name in _LIST_PROPERTIES else None) for name in names}


def get_user(call: GraphCall, user: str) -> GraphReply:
    record = find_user(call, user)
    selected, names = _selected(call)
    fragment = f"users({','.join(selected)})/$entity" if selected else "users/$entity"
    return GraphReply(200, {"@odata.context": odata.context(call.base, fragment), **_user_body(record, names)})


def list_users(call: GraphCall) -> GraphReply:
    """GET /users, with the `$filter` clauses of graph_filter.py, `$select`, `$top` and paging."""
    advanced = graph_filter.advanced(call.query, call.headers)
    text = call.query.get("$filter", "").strip()
    clauses = graph_filter.parse(text, USER_PROPERTIES, advanced_query=advanced) if text else []
    found = [record for record in call.state.users if not clauses or any(clause.matches(record) for clause in clauses)]
    selected, names = _selected(call)
    body = {"@odata.context": odata.context(call.base, f"users({','.join(selected)})" if selected else "users")}
    if advanced:
        body["@odata.count"] = len(found)
    page = odata.page([_user_body(record, names) for record in found], call.query, f"{call.base}/v1.0/users",
                      call.state.graph["pageSize"], MAX_TOP)
    return GraphReply(200, {**body, **page})


def complex_enough(password: str) -> bool:
    """Entra's rule: 8 to 256 allowed characters, three of upper, lower, digit and symbol."""
    allowed = set(string.ascii_letters + string.digits) | _SYMBOLS
    if not 8 <= len(password) <= 256 or not set(password) <= allowed:
        return False
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS)
    return sum(any(char in group for char in password) for group in classes) >= 3


def update_user(call: GraphCall, user: str) -> GraphReply:
    body = call.json()
    if not isinstance(body, dict):
        raise odata.bad_request("Empty Payload. JSON content expected.")
    body = odata.properties(body)
    known = {name.lower(): name for name in USER_PROPERTIES}
    for name in body:
        if name.lower() not in known:
            raise odata.bad_request(f"Property '{name}' does not exist as a declared property or extension property.")
        if known[name.lower()] in _READ_ONLY:
            raise odata.bad_request(f"Property '{known[name.lower()]}' is read-only and cannot be set.",
                                    "Request_BadRequest")
    changes = {known[name.lower()]: value for name, value in body.items()}
    if "passwordProfile" in changes:
        require_permission(call, PASSWORD_PERMISSION)
    if "accountEnabled" in changes:
        require_permission(call, ENABLE_PERMISSION)
    record = find_user(call, user)
    if record.get("onPremisesSyncEnabled") and set(changes) - _CLOUD_WRITABLE:
        raise odata.bad_request(SYNCED_MESSAGE, "Request_BadRequest")
    profile = changes.pop("passwordProfile", None)
    if profile is not None:
        _change_password(call, record, profile)
    if "accountEnabled" in changes and not isinstance(changes["accountEnabled"], bool):
        raise odata.bad_request("Cannot convert the literal to the expected type 'Edm.Boolean'.")
    record.update(changes)
    return GraphReply(204)


def _change_password(call: GraphCall, record: dict, profile: object) -> None:
    """Record the change (flags and time, never the password) and rotate the password method's date."""
    if not isinstance(profile, dict):
        raise odata.bad_request("Invalid value for property 'passwordProfile'.")
    profile = odata.properties(profile)
    password = profile.get("password")
    if password is not None and (not isinstance(password, str) or not complex_enough(password)):
        raise odata.bad_request(COMPLEXITY_MESSAGE, "Request_BadRequest")
    now = call.state.now_iso()
    call.state.password_changes.setdefault(record["id"], []).append({
        "at": now, "passwordChanged": password is not None,
        "forceChangePasswordNextSignIn": bool(profile.get("forceChangePasswordNextSignIn", False)),
        "forceChangePasswordNextSignInWithMfa": bool(profile.get("forceChangePasswordNextSignInWithMfa", False))})
    if password is not None:
        record["lastPasswordChangeDateTime"] = now


def revoke_sessions(call: GraphCall, user: str) -> GraphReply:
    record = find_user(call, user)
    now = call.state.now_iso()
    call.state.revocations.setdefault(record["id"], []).append(now)
    record["signInSessionsValidFromDateTime"] = now
    # Documented as 204, answered 200 with a boolean by the service (see DESIGN.md).
    return GraphReply(200, {"@odata.context": odata.context(call.base, "Edm.Boolean"), "value": True})


def check_member_groups(call: GraphCall, user: str) -> GraphReply:
    body = call.json()
    group_ids = odata.parameter(body, "groupIds")
    if not isinstance(group_ids, list) or not all(isinstance(group, str) for group in group_ids):
        raise odata.bad_request("Invalid request body: 'groupIds' must be a collection of strings.",
                                "Request_BadRequest")
    if len(group_ids) > 20:
        raise odata.bad_request("The number of group ids in the request exceeds the limit of 20.", "Request_BadRequest")
    record = find_user(call, user)
    member_of = {group.lower() for group in record.get("memberOf", [])}
    return GraphReply(200, {"@odata.context": odata.context(call.base, "Collection(Edm.String)"),
                            "value": [group for group in group_ids if group.lower() in member_of]})


def auth_methods(call: GraphCall, user: str) -> GraphReply:
    record = find_user(call, user)
    methods = list(record.get("authenticationMethods", []))
    if not any(method.get("@odata.type") == "#microsoft.graph.passwordAuthenticationMethod" for method in methods):
        methods.insert(0, {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": PASSWORD_METHOD_ID,
                           "password": None, "createdDateTime": record.get("lastPasswordChangeDateTime")})
    fragment = f"users('{record['id']}')/authentication/methods"
    return GraphReply(200, {"@odata.context": odata.context(call.base, fragment), "value": methods})


def list_domains(call: GraphCall) -> GraphReply:
    value = [{"authenticationType": domain["authenticationType"], "availabilityStatus": None, "id": domain["id"],
              "isAdminManaged": True, "isDefault": domain["isDefault"], "isInitial": domain["isInitial"],
              "isRoot": True, "isVerified": domain["isVerified"],
              "supportedServices": domain.get("supportedServices", ["Email", "OfficeCommunicationsOnline"]),
              "passwordValidityPeriodInDays": 2147483647, "passwordNotificationWindowInDays": 14, "state": None}
             for domain in call.state.domains]
    return GraphReply(200, {"@odata.context": odata.context(call.base, "domains"), "value": value})


ROUTES = [
    Route("GET", "/users", list_users, "User.Read.All"),
    Route("GET", "/users/{user}", get_user, "User.Read.All"),
    Route("PATCH", "/users/{user}", update_user),
    Route("POST", "/users/{user}/revokeSignInSessions", revoke_sessions, "User.RevokeSessions.All"),
    Route("POST", "/users/{user}/checkMemberGroups", check_member_groups, "GroupMember.Read.All"),
    Route("GET", "/users/{user}/authentication/methods", auth_methods, "UserAuthenticationMethod.ReadWrite.All"),
    Route("GET", "/domains", list_domains, "Domain.Read.All"),
]
PATCH_PERMISSIONS = {"PATCH /users/{user} passwordProfile": PASSWORD_PERMISSION,
                     "PATCH /users/{user} accountEnabled": ENABLE_PERMISSION}
