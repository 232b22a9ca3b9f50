"""Entra ID sign-in of a single-page app in the sandbox: /authorize's page and code, /token's
authorization_code grant with PKCE, its errors and CORS, and the HTTPS listener MSAL needs."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from localdev.tenant.server import BackgroundSandbox
from tests.integration.sandbox.test_entra import AUDIENCE, TENANT, _verify

SPA = "c0a5e1e2-7b1d-4c3e-9f4a-5d6e7f8a9b0c"
REDIRECT = "http://127.0.0.1:7071/redirect"
ORIGIN = "http://127.0.0.1:7071"
AUTHORIZE, TOKEN = f"/{TENANT}/oauth2/v2.0/authorize", f"/{TENANT}/oauth2/v2.0/token"
VERIFIER = secrets.token_urlsafe(48)
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def spa(sandbox):
    scenario = sandbox.scenario()
    scenario["entra"]["apps"][SPA] = {"spa": {"redirectUris": [REDIRECT]}}
    sandbox.load(scenario)
    return sandbox


def _request(**overrides) -> dict:
    return {"client_id": SPA, "response_type": "code", "redirect_uri": REDIRECT, "response_mode": "fragment",
            "scope": f"{AUDIENCE}/.default openid profile offline_access", "state": "s-1", "nonce": "n-1",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256", "client_info": "1", **overrides}


def _answer(response: httpx.Response) -> dict:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {name: values[0] for name, values in parse_qs(location.fragment or location.query).items()}


def _code(http, user: str = "megan@contoso.com", role: str = "Remediation.Reader", **overrides) -> str:
    answer = _answer(http.post(AUTHORIZE, data={**_request(**overrides), "sandbox_user": user, "sandbox_role": role}))
    assert answer["state"] == "s-1"
    return answer["code"]


def _redeem(http, code: str, **overrides) -> httpx.Response:
    return http.post(TOKEN, headers={"Origin": ORIGIN}, data={
        "client_id": SPA, "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER, "scope": f"{AUDIENCE}/.default openid profile offline_access", **overrides})


def test_the_authorize_page_offers_the_tenants_users_and_the_app_roles_as_labelled_choices(spa, sandbox_http):
    page = sandbox_http.get(AUTHORIZE, params=_request())
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<label for=user>User</label>" in page.text and "<label for=role>App role</label>" in page.text
    assert "megan@contoso.com" in page.text and "Remediation.Admin" in page.text
    assert f"value='{CHALLENGE}'" in page.text   # carried to the POST that issues the code


def test_a_code_redeemed_with_its_verifier_gives_tokens_for_the_chosen_user_and_role(spa, sandbox_http):
    response = _redeem(sandbox_http, _code(sandbox_http, role="Remediation.Admin"))
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    body = response.json()
    access = _verify(sandbox_http, body["access_token"])
    assert (access["upn"], access["roles"], access["azp"]) == ("megan@contoso.com", ["Remediation.Admin"], SPA)
    identity = _verify(sandbox_http, body["id_token"], audience=SPA)
    assert (identity["preferred_username"], identity["nonce"]) == ("megan@contoso.com", "n-1")
    assert body["scope"] == f"{AUDIENCE}/.default" and body["token_type"] == "Bearer"


@pytest.mark.parametrize(("change", "code"), [
    ({"code_verifier": "not-the-verifier-" + "x" * 40}, 50148),
    ({"redirect_uri": "http://127.0.0.1:9999/redirect"}, 50011),
    ({"client_id": "3f9c2a71-6d4e-4b8a-9e21-5c7d8f0a1b2c"}, 70000),
])
def test_a_code_with_the_wrong_verifier_redirect_or_client_is_invalid_grant(spa, sandbox_http, change, code):
    response = _redeem(sandbox_http, _code(sandbox_http), **change)
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["error_codes"]) == ("invalid_grant", [code])


def test_a_code_is_redeemed_once(spa, sandbox_http):
    code = _code(sandbox_http)
    assert _redeem(sandbox_http, code).status_code == 200
    again = _redeem(sandbox_http, code)
    assert again.status_code == 400 and again.json()["error_description"].startswith("AADSTS54005:")


def test_a_refresh_token_gives_new_tokens_to_its_client_only(spa, sandbox_http):
    refresh = _redeem(sandbox_http, _code(sandbox_http)).json()["refresh_token"]
    renewed = sandbox_http.post(TOKEN, headers={"Origin": ORIGIN}, data={
        "client_id": SPA, "grant_type": "refresh_token", "refresh_token": refresh, "scope": f"{AUDIENCE}/.default"})
    assert renewed.status_code == 200 and renewed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert _verify(sandbox_http, renewed.json()["access_token"])["roles"] == ["Remediation.Reader"]
    other = sandbox_http.post(TOKEN, data={"client_id": "someone-else", "grant_type": "refresh_token",
                                           "refresh_token": refresh})
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_an_error_page_not_a_redirect(spa, sandbox_http):
    page = sandbox_http.get(AUTHORIZE, params=_request(redirect_uri="https://evil.example/steal"))
    assert page.status_code == 400 and "AADSTS50011" in page.text and "Location" not in page.headers


def test_an_unknown_client_is_an_error_page(spa, sandbox_http):
    page = sandbox_http.get(AUTHORIZE, params=_request(client_id="00000000-0000-0000-0000-000000000001"))
    assert page.status_code == 400 and "AADSTS700016" in page.text


def test_a_request_without_pkce_is_sent_back_with_invalid_request(spa, sandbox_http):
    answer = _answer(sandbox_http.get(AUTHORIZE, params=_request(code_challenge="")))
    assert answer["error"] == "invalid_request" and answer["error_description"].startswith("AADSTS9002325:")


def test_markup_in_the_request_is_escaped_on_the_page(spa, sandbox_http):
    page = sandbox_http.get(AUTHORIZE, params=_request(state="'><script>alert(1)</script>"))
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text


def test_an_origin_the_app_does_not_name_gets_no_cors_header(spa, sandbox_http):
    response = sandbox_http.post(TOKEN, headers={"Origin": "https://evil.example"},
                                 data={"client_id": SPA, "grant_type": "authorization_code", "code": "x"})
    assert response.status_code == 400 and "Access-Control-Allow-Origin" not in response.headers


def test_over_https_the_metadata_names_the_tls_address_as_issuer_on_both_listeners():
    with BackgroundSandbox(tls_port=0) as server:
        assert server.tls_url.startswith("https://127.0.0.1:")
        path = f"/{TENANT}/v2.0/.well-known/openid-configuration"
        secure = httpx.get(server.tls_url + path, verify=False).json()
        plain = httpx.get(server.url + path).json()
        assert secure["issuer"] == plain["issuer"] == f"{server.tls_url}/{TENANT}/v2.0"
        assert secure["authorization_endpoint"] == f"{server.tls_url}/{TENANT}/oauth2/v2.0/authorize"
        token = httpx.post(server.url + "/_sandbox/tokens", json={}).json()["access_token"]
        assert jwt.decode(token, options={"verify_signature": False})["iss"] == plain["issuer"]
