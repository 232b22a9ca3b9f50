"""`Directory` on msgraph-sdk: users, inbox rules, auth methods, mail and security alerts.

The SDK points at `{GRAPH_BASE_URL}/v1.0` (public cloud, a sovereign cloud or the sandbox).
Its middleware runs as usual except kiota's RetryHandler: our RetryTransport sits under it
(see http.py). List calls follow every `@odata.nextLink` through the request builders'
`with_url`; Graph's objects become the tenant's models in graph_shapes.py.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import AnonymousAuthenticationProvider, AuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RedirectHandler, RetryHandler
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.check_member_groups.check_member_groups_post_request_body import (
    CheckMemberGroupsPostRequestBody,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph_core import GraphClientFactory
from msgraph_core.authentication import AzureIdentityAuthenticationProvider
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from remediation.errors import ServiceRejectedError
from remediation.gateways import graph_shapes
from remediation.gateways.graph_containment import GraphContainment, quoted
from remediation.gateways.graph_errors import SERVICE, graph_call
from remediation.gateways.credentials import CredentialHolder, scope_for
from remediation.gateways.graph_users import USER_PROPERTIES, address_filter, directory_user, only_user
from remediation.gateways.http import RetryPolicy, RetryTransport, http_client, next_link, origin
from remediation.models import iso
from remediation.tenant import AuthMethod, DirectoryUser, Domain, InboxRule, SecurityAlert
from remediation.settings import Settings

ERROR_MAPPING = {"XXX": ODataError}
# POSTs that are safe to repeat: revoking twice revokes once; checkMemberGroups only reads; a user
# confirmed compromised twice stays confirmed.
IDEMPOTENT_POSTS = ("/revokeSignInSessions", "/checkMemberGroups", "/confirmCompromised")
MEMBER_GROUPS_PER_CALL = 20   # Graph's limit for checkMemberGroups



def graph_idempotent(request: httpx.Request) -> bool:
    """sendMail is the one POST here that must not be repeated blindly (a second mail); a PATCH of a
    passwordProfile neither: a lost answer may hide a reset that took effect, and a job never resets a
    password twice (the step verifies by lastPasswordChangeDateTime instead)."""
    if request.method == "PATCH":
        return b'"passwordProfile"' not in _body(request)
    return request.method != "POST" or request.url.path.endswith(IDEMPOTENT_POSTS)


def _body(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:   # a streamed body: treat it as possibly a password
        return b'"passwordProfile"'


def _sdk_middleware() -> list:
    """The SDK's default middleware, options and telemetry, without kiota's RetryHandler, nor its
    RedirectHandler: a redirect would re-send a PATCH (a new password) to whatever host it names."""
    middleware = [handler for handler in KiotaClientFactory.get_default_middleware(SDK_OPTIONS)
                  if not isinstance(handler, (RetryHandler, RedirectHandler))]
    telemetry = SDK_OPTIONS[GraphTelemetryHandlerOption.get_key()]
    return [*middleware, GraphTelemetryHandler(options=telemetry)]


async def _refuse_redirect(response: httpx.Response) -> None:
    """kiota counts a 3xx as success: unrefused, a redirected password PATCH would look done."""
    if 300 <= response.status_code < 400:
        raise ServiceRejectedError(f"answered {response.status_code}, a redirect (not followed) to "
                                   f"{response.headers.get('Location', '')[:200]!r}", service=SERVICE)


class GraphDirectory(GraphContainment):
    """The Directory port. Build once per process; `aclose()` at shutdown."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 credential=None, retry: RetryPolicy | None = None) -> None:
        self.base_url = settings.graph_base_url.rstrip("/")
        self._credentials = CredentialHolder(self.base_url, credential)
        self._transport = RetryTransport(retry or RetryPolicy.from_settings(settings), transport, graph_idempotent)
        client = http_client(self._transport)
        client.event_hooks["response"].append(_refuse_redirect)
        self._http = GraphClientFactory.create_with_custom_middleware(_sdk_middleware(), client=client)
        adapter = GraphRequestAdapter(self._auth_provider(), client=self._http)
        adapter.base_url = f"{self.base_url}/v1.0"
        self.client = GraphServiceClient(request_adapter=adapter)

    def _auth_provider(self) -> AuthenticationProvider:
        if self._credentials.credential is None:
            return AnonymousAuthenticationProvider()
        return AzureIdentityAuthenticationProvider(self._credentials.credential, scopes=[scope_for(self.base_url)],
                                                   allowed_hosts=[origin(self.base_url)[1]])

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._transport.aclose()   # the SDK's transport wrapper does not close what it wraps
        await self._credentials.aclose()

    def _user(self, user: str) -> UserItemRequestBuilder:
        return self.client.users.by_user_id(user)

    # -- raw JSON, for objects the playbook reads as Graph returns them -----------------------

    @staticmethod
    def _request(method: Method, builder, body: dict) -> RequestInformation:
        """A request on `builder`'s URL carrying `body` as written. The SDK's models would add
        "@odata.type" and PascalCase action parameters ("Message"); Graph reads either, but its
        documented requests are plain camelCase, and so are ours."""
        request_info = RequestInformation(method, builder.url_template, builder.path_parameters)
        request_info.headers.try_add("Accept", "application/json")
        request_info.headers.try_add("Content-Type", "application/json")
        request_info.content = json.dumps(body).encode()
        return request_info

    def _at(self, method: Method, path: str, body: dict | None = None) -> RequestInformation:
        """A request on a path below /v1.0 the SDK has no single builder for (one per method type)."""
        request_info = RequestInformation(method)
        request_info.url = f"{self.base_url}/v1.0{path}"
        request_info.headers.try_add("Accept", "application/json")
        if body is not None:
            request_info.headers.try_add("Content-Type", "application/json")
            request_info.content = json.dumps(body).encode()
        return request_info

    async def _send_json(self, request_info: RequestInformation) -> dict:
        raw = await self.client.request_adapter.send_primitive_async(request_info, "bytes", ERROR_MAPPING)
        return json.loads(raw) if raw else {}

    async def _all_pages(self, builder, config: RequestConfiguration | None = None) -> list[dict]:
        request_info = builder.to_get_request_information(config)
        items: list[dict] = []
        while True:
            page = await self._send_json(request_info)
            items.extend(page.get("value") or [])
            link = next_link(page, self.base_url, service=SERVICE)
            if not link:
                return items
            # A next link holds the query; the headers (ConsistencyLevel) must be sent again.
            request_info = builder.with_url(link).to_get_request_information(
                RequestConfiguration(headers=config.headers) if config else None)

    async def _filtered(self, builder, parameters, odata_filter: str) -> list[dict]:
        """Every page of a list with `$filter` (`parameters`: the builder's query parameters class)."""
        query = parameters(filter=odata_filter)
        return await self._all_pages(builder, RequestConfiguration(query_parameters=query))

    # -- the Directory port --------------------------------------------------------------------

    @graph_call
    async def get_user(self, user: str) -> DirectoryUser:
        """By id or UPN; an address Graph does not take as a key is looked up (graph_users.py)."""
        config = RequestConfiguration(query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=USER_PROPERTIES))
        try:
            # Read as JSON: the SDK's User model costs milliseconds of CPU to fill (bench/retry_overhead.py).
            found = await self._send_json(self._user(user).to_get_request_information(config))
        except APIError as exc:
            if exc.response_status_code != 404 or "@" not in user:
                raise
            found = await self._user_by_address(user)
            if found is None:
                raise   # Graph's own 404
        return directory_user(found)

    async def _user_by_address(self, address: str) -> dict | None:
        builder = self.client.users
        config = RequestConfiguration(query_parameters=builder.UsersRequestBuilderGetQueryParameters(
            filter=address_filter(address), select=USER_PROPERTIES, count=True))
        config.headers.add("ConsistencyLevel", "eventual")   # the lambda on proxyAddresses is an advanced query
        return only_user(address, await self._all_pages(builder, config))

    @graph_call
    async def domains(self) -> list[Domain]:
        return [graph_shapes.domain(item) for item in await self._all_pages(self.client.domains)]

    async def _patch_user(self, user_id: str, properties: dict) -> None:
        await self._send_json(self._request(Method.PATCH, self._user(user_id), properties))

    @graph_call
    async def reset_password(self, user_id: str, password: str) -> None:
        await self._patch_user(user_id, {"passwordProfile": {"password": password,
                                                             "forceChangePasswordNextSignIn": True}})

    @graph_call
    async def revoke_sessions(self, user_id: str) -> None:
        # Documented as 204, answers 200 {"value": true}: any 2xx is success, the body is not read.
        await self._user(user_id).revoke_sign_in_sessions.post()

    @graph_call
    async def disable_account(self, user_id: str) -> None:
        await self._patch_user(user_id, {"accountEnabled": False})

    @graph_call
    async def member_of(self, user_id: str, group_ids: list[str]) -> list[str]:
        members: list[str] = []
        for start in range(0, len(group_ids), MEMBER_GROUPS_PER_CALL):
            body = CheckMemberGroupsPostRequestBody(group_ids=group_ids[start:start + MEMBER_GROUPS_PER_CALL])
            answer = await self._user(user_id).check_member_groups.post(body)
            members.extend((answer.value or []) if answer else [])
        return members

    def _inbox_rules(self, user_id: str):
        return self._user(user_id).mail_folders.by_mail_folder_id("inbox").message_rules

    @graph_call
    async def inbox_rules(self, user_id: str) -> list[InboxRule]:
        return [graph_shapes.inbox_rule(item) for item in await self._all_pages(self._inbox_rules(user_id))]

    @graph_call
    async def disable_inbox_rule(self, user_id: str, rule_id: str) -> InboxRule:
        builder = self._inbox_rules(user_id).by_message_rule_id(rule_id)
        updated = await self._send_json(self._request(Method.PATCH, builder, {"isEnabled": False}))
        return graph_shapes.inbox_rule(updated)

    @graph_call
    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        methods = await self._all_pages(self._user(user_id).authentication.methods)
        return [graph_shapes.auth_method(item) for item in methods]

    @graph_call
    async def send_mail(self, sender: str, recipients: list[str], subject: str, html_body: str) -> None:
        message = {"subject": subject, "body": {"contentType": "HTML", "content": html_body},
                   "toRecipients": [{"emailAddress": {"address": to}} for to in recipients]}
        body = {"message": message, "saveToSentItems": True}
        await self._send_json(self._request(Method.POST, self._user(sender).send_mail, body))

    @graph_call
    async def security_alerts(self, since: datetime, service_source: str) -> list[SecurityAlert]:
        builder = self.client.security.alerts_v2
        odata_filter = f"serviceSource eq {quoted(service_source)} and lastUpdateDateTime ge {iso(since)}"
        alerts = await self._filtered(builder, builder.Alerts_v2RequestBuilderGetQueryParameters, odata_filter)
        return [graph_shapes.security_alert(alert) for alert in alerts if isinstance(alert, dict)]
