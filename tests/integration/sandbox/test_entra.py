"""Entra ID in the sandbox: OpenID metadata, JWKS, client-credentials tokens, and test tokens from the control API."""

from __future__ import annotations

import time

import jwt
import pytest

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
ADMIN_APP, ADMIN_SECRET = "3f9c2a71-6d4e-4b8a-9e21-5c7d8f0a1b2c", "sandbox-admin-secret"
AUDIENCE = "api://restricted-sender-responder"


def _metadata(http, tenant: str = TENANT) -> dict:
    return http.get(f"/{tenant}/v2.0/.well-known/openid-configuration").json()


def _verify(http, token: str, audience: str = AUDIENCE) -> dict:
    """Validate as an API would: the key from the published JWKS by kid, issuer from the metadata."""
    metadata = _metadata(http)
    jwks = http.get(metadata["jwks_uri"]).json()
    kid = jwt.get_unverified_header(token)["kid"]
    matching = [key for key in jwks["keys"] if key["kid"] == kid]
    if not matching:
        raise jwt.InvalidTokenError(f"no published key {kid}")
    return jwt.decode(token, jwt.PyJWK(matching[0]).key, algorithms=["RS256"], audience=audience,
                      issuer=metadata["issuer"])


def test_openid_configuration_points_at_this_sandbox(sandbox, sandbox_http):
    metadata = _metadata(sandbox_http)
    assert metadata["issuer"] == f"{sandbox.url}/{TENANT}/v2.0"
    assert metadata["jwks_uri"] == f"{sandbox.url}/{TENANT}/discovery/v2.0/keys"
    assert metadata["token_endpoint"] == f"{sandbox.url}/{TENANT}/oauth2/v2.0/token"
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_tenant_may_be_named_by_a_domain(sandbox_http):
    assert _metadata(sandbox_http, "contoso.onmicrosoft.com")["issuer"].endswith(f"/{TENANT}/v2.0")


def test_an_unknown_tenant_is_entras_invalid_tenant(sandbox_http):
    response = sandbox_http.get("/contoso.example/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_tenant"
    assert response.json()["error_description"].startswith("AADSTS90002")


def test_jwks_publishes_one_rsa_signing_key(sandbox_http):
    [key] = sandbox_http.get(f"/{TENANT}/discovery/v2.0/keys").json()["keys"]
    assert {"kty", "use", "kid", "n", "e"} <= set(key) and key["kty"] == "RSA" and key["use"] == "sig"


def test_client_credentials_give_a_token_with_the_apps_roles(sandbox_http):
    response = sandbox_http.post(f"/{TENANT}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": ADMIN_APP, "client_secret": ADMIN_SECRET,
        "scope": f"{AUDIENCE}/.default"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 3000
    claims = _verify(sandbox_http, body["access_token"])
    assert claims["roles"] == ["Remediation.Admin"] and claims["tid"] == TENANT
    assert claims["azp"] == claims["appid"] == ADMIN_APP and claims["oid"]
    assert claims["nbf"] <= time.time() < claims["exp"]


@pytest.mark.parametrize(("form", "status", "error"), [
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"client_id": "00000000-0000-0000-0000-000000000000"}, 400, "unauthorized_client"),
    ({"scope": AUDIENCE}, 400, "invalid_scope"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
])
def test_token_errors_are_entras(sandbox_http, form, status, error):
    data = {"grant_type": "client_credentials", "client_id": ADMIN_APP, "client_secret": ADMIN_SECRET,
            "scope": f"{AUDIENCE}/.default", **form}
    response = sandbox_http.post(f"/{TENANT}/oauth2/v2.0/token", data=data)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"].startswith("AADSTS")


def test_the_token_endpoint_refuses_get_like_entra(sandbox_http):
    response = sandbox_http.get(f"/{TENANT}/oauth2/v2.0/token")
    assert response.status_code == 400 and response.json()["error_description"].startswith("AADSTS900561")


def test_control_tokens_take_any_claims(sandbox, sandbox_http):
    token = sandbox.token(roles=["Remediation.Reader"], upn="megan@contoso.com", name="Megan Bowen",
                          oid="0b7d9c31-58e2-4f61-8a3b-6c5d4e3f2a10")
    claims = _verify(sandbox_http, token)
    assert claims["roles"] == ["Remediation.Reader"] and claims["upn"] == "megan@contoso.com"
    assert claims["oid"] == claims["sub"] == "0b7d9c31-58e2-4f61-8a3b-6c5d4e3f2a10"


def test_control_tokens_can_be_expired_for_another_audience_or_issuer(sandbox, sandbox_http):
    with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
        _verify(sandbox_http, sandbox.token(exp=int(time.time()) - 60))
    with pytest.raises(jwt.InvalidAudienceError, match="Audience doesn't match"):
        _verify(sandbox_http, sandbox.token(aud="api://someone-else"))
    with pytest.raises(jwt.InvalidIssuerError, match="Invalid issuer"):
        _verify(sandbox_http, sandbox.token(iss="https://sts.windows.net/evil/"))


def test_an_untrusted_token_names_the_published_kid_but_its_signature_fails(sandbox, sandbox_http):
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        _verify(sandbox_http, sandbox.token(roles=["Remediation.Admin"], signWith="untrusted"))
