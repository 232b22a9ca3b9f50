"""Entra bearer tokens: every way a token can be wrong, roles, and the JWKS cache."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.utils import base64url_encode

from remediation.auth import (
    ADMIN, ALERTS_SUBMIT, KEY_LIFETIME_SECONDS, MIN_REFRESH_SECONDS, READER, TokenValidator, bearer_token,
)
from remediation.errors import ConfigurationError, ForbiddenError, TransientError, UnauthorizedError
from remediation.settings import Settings
from tests.plugins.app import APP_SETTINGS, TENANT, EntraStub, new_key


async def test_a_valid_token_names_the_caller(token_validator, entra):
    caller = await token_validator.authenticate(f"Bearer {entra.token((ADMIN,))}", ADMIN)
    assert caller.name == "admin@contoso.com"
    assert caller.identity == "admin@contoso.com (8b6a1a1c-0000-4000-8000-000000000001)"


async def test_an_application_caller_is_named_by_its_app_id(token_validator, entra):
    token = entra.token((ALERTS_SUBMIT,), preferred_username=None, appid="461e8683-5575-4561-ac7f-899cc907d62a")
    caller = await token_validator.authenticate(f"Bearer {token}", ALERTS_SUBMIT)
    assert caller.identity == "app 461e8683-5575-4561-ac7f-899cc907d62a (8b6a1a1c-0000-4000-8000-000000000001)"


async def test_an_admin_may_read_but_a_reader_may_not_act(token_validator, entra):
    assert (await token_validator.authenticate(f"Bearer {entra.token((ADMIN,))}", READER)).has(READER)
    with pytest.raises(ForbiddenError, match=ADMIN):
        await token_validator.authenticate(f"Bearer {entra.token((READER,))}", ADMIN)


@pytest.mark.parametrize("roles, needed", [((), READER), ((ADMIN,), ALERTS_SUBMIT), ((ALERTS_SUBMIT,), READER)])
async def test_a_valid_token_without_the_role_is_forbidden(token_validator, entra, roles, needed):
    with pytest.raises(ForbiddenError, match=f"^the caller lacks the app role {re.escape(needed)}$"):
        await token_validator.authenticate(f"Bearer {entra.token(roles)}", needed)


async def test_the_v1_issuer_is_accepted(token_validator, entra):
    token = entra.token((READER,), iss=f"https://sts.windows.net/{TENANT}/", ver="1.0")
    assert (await token_validator.authenticate(f"Bearer {token}", READER)).has(READER)


async def test_expiry_has_a_small_leeway(token_validator, entra):
    token = entra.token((READER,), exp=int(time.time()) - 5)
    assert (await token_validator.authenticate(f"Bearer {token}", READER)).has(READER)


@pytest.mark.parametrize("claims, reason", [
    ({"aud": "api://another-app"}, "Audience"),
    ({"iss": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"}, "issuer"),
    ({"iss": "https://sts.windows.net/11111111-2222-3333-4444-555555555555/"}, "issuer"),
    ({"exp": int(time.time()) - 600}, "expired"),
    ({"nbf": int(time.time()) + 86400}, "not yet valid"),   # a day ahead: collected long before it runs
    ({"exp": None}, "exp"),
    ({"aud": None}, "aud"),
])
async def test_a_wrong_claim_is_unauthorized(token_validator, entra, claims, reason):
    with pytest.raises(UnauthorizedError, match=reason):
        await token_validator.authenticate(f"Bearer {entra.token((ADMIN,), **claims)}", ADMIN)


async def test_a_token_signed_by_another_key_is_unauthorized(token_validator, entra):
    forged = entra.token((ADMIN,), key=new_key())
    with pytest.raises(UnauthorizedError, match="Signature verification failed"):
        await token_validator.authenticate(f"Bearer {forged}", ADMIN)


async def test_alg_none_is_refused(token_validator, entra):
    unsigned = jwt.encode(entra.claims((ADMIN,)), None, algorithm="none", headers={"kid": "key-1"})
    with pytest.raises(UnauthorizedError, match="RS256"):
        await token_validator.authenticate(f"Bearer {unsigned}", ADMIN)
    assert entra.requests == []


async def test_hs256_signed_with_the_public_key_is_refused(token_validator, entra, signing_key):
    # The classic confusion attack: the public key (which anyone can fetch) used as an HMAC secret.
    # PyJWT will not sign that way, so the token is put together by hand.
    public_pem = signing_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    header = base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "key-1"}).encode())
    payload = base64url_encode(json.dumps(entra.claims((ADMIN,))).encode())
    signature = base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    forged = b".".join((header, payload, signature)).decode()
    with pytest.raises(UnauthorizedError, match="RS256"):
        await token_validator.authenticate(f"Bearer {forged}", ADMIN)


@pytest.mark.parametrize("header, reason", [*((header, "^a bearer token is required$")
                                               for header in (None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz")),
                                             ("Bearer not-a-jwt", "^the token is malformed: ")])
async def test_a_missing_or_malformed_token_is_unauthorized(token_validator, header, reason):
    with pytest.raises(UnauthorizedError, match=reason):
        await token_validator.authenticate(header, READER)


def test_the_bearer_scheme_is_case_insensitive():
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


async def test_metadata_and_keys_are_fetched_once(token_validator, entra):
    for _ in range(3):
        await token_validator.authenticate(f"Bearer {entra.token((READER,))}", READER)
    assert entra.requests == [entra.metadata_path, entra.jwks_path]


def bearer_for(entra, kid: str) -> str:
    """A reader's token under `kid`: the tenant's key of that name, or a stranger's."""
    return f"Bearer {entra.token((READER,), kid=kid, key=None if kid in entra.keys else new_key())}"


@pytest.fixture
async def clocked(app_settings, entra):
    """(validator, clock) with keys already fetched once; the clock is a list to move forward."""
    now = [1000.0]
    async with entra.client() as client:
        validator = TokenValidator(app_settings, http=client, monotonic=lambda: now[0])
        await validator.authenticate(bearer_for(entra, "key-1"), READER)
        yield validator, now


FETCH = [EntraStub.metadata_path, EntraStub.jwks_path]


async def test_a_rolled_key_is_fetched_once_the_last_fetch_is_a_minute_old(clocked, entra):
    validator, now = clocked
    entra.keys["key-2"] = new_key()
    with pytest.raises(UnauthorizedError, match="unknown key"):
        await validator.authenticate(bearer_for(entra, "key-2"), READER)
    now[0] += MIN_REFRESH_SECONDS
    assert (await validator.authenticate(bearer_for(entra, "key-2"), READER)).has(READER)
    assert entra.requests == FETCH * 2


async def test_five_junk_tokens_do_not_block_a_real_rollover(clocked, entra):
    validator, now = clocked
    now[0] += MIN_REFRESH_SECONDS
    for number in range(5):
        with pytest.raises(UnauthorizedError, match="unknown key"):
            await validator.authenticate(bearer_for(entra, f"made-up-{number}"), READER)
    assert entra.requests == FETCH * 2   # the junk cost one fetch in all
    entra.keys["key-2"] = new_key()
    now[0] += MIN_REFRESH_SECONDS
    assert (await validator.authenticate(bearer_for(entra, "key-2"), READER)).has(READER)
    assert entra.requests == FETCH * 3


async def test_made_up_kids_cost_at_most_one_fetch_a_minute(clocked, entra):
    validator, now = clocked
    for second in range(0, 300, 3):
        now[0] = 1000.0 + second
        with pytest.raises(UnauthorizedError, match="unknown key"):
            await validator.authenticate(bearer_for(entra, f"made-up-{second}"), READER)
    assert entra.requests == FETCH * 5   # at 1000 (the fixture), 1060, 1120, 1180, 1240


async def test_keys_expire_after_their_lifetime(clocked, entra):
    validator, now = clocked
    now[0] += KEY_LIFETIME_SECONDS - 1
    await validator.authenticate(bearer_for(entra, "key-1"), READER)
    assert entra.requests == FETCH
    del entra.keys["key-1"]                  # retired by Entra meanwhile
    entra.keys["key-2"] = new_key()
    now[0] += 1
    with pytest.raises(UnauthorizedError, match="unknown key"):
        await validator.authenticate(bearer_for(entra, "key-1"), READER)
    assert entra.requests == FETCH * 2


async def test_with_expired_keys_and_login_down_tokens_are_refused_as_transient(clocked, entra):
    validator, now = clocked
    now[0] += KEY_LIFETIME_SECONDS
    entra.status = 503
    with pytest.raises(TransientError, match="answered 503"):
        await validator.authenticate(bearer_for(entra, "key-1"), READER)


async def test_a_failed_fetch_is_retried_at_once_while_no_keys_are_held(app_settings, entra):
    async with entra.client() as client:
        validator = TokenValidator(app_settings, http=client)
        entra.status = 503
        with pytest.raises(TransientError, match="answered 503"):
            await validator.authenticate(bearer_for(entra, "key-1"), READER)
        entra.status = 200
        assert (await validator.authenticate(bearer_for(entra, "key-1"), READER)).has(READER)


async def test_concurrent_requests_with_a_new_kid_wait_for_one_fetch(app_settings, entra):
    gate, fetching, arrived = asyncio.Event(), asyncio.Event(), []

    async def slow_login(request: httpx.Request) -> httpx.Response:
        arrived.append(request.url.path)
        fetching.set()
        await gate.wait()
        return entra._serve(request)

    entra.keys["key-2"] = new_key()
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_login)) as client:
        validator = TokenValidator(app_settings, http=client)
        calls = [asyncio.create_task(validator.authenticate(bearer_for(entra, kid), READER))
                 for kid in ("key-1", "key-2") * 5]
        await asyncio.wait_for(fetching.wait(), 5)
        gate.set()
        callers = await asyncio.wait_for(asyncio.gather(*calls), 5)
    assert all(caller.has(READER) for caller in callers)
    assert arrived == [entra.metadata_path, entra.jwks_path]


async def test_an_unreachable_login_endpoint_is_transient(token_validator, entra):
    entra.status = 503
    with pytest.raises(TransientError, match=r"^login: .*/\.well-known/openid-configuration answered 503$"):
        await token_validator.authenticate(f"Bearer {entra.token((READER,))}", READER)


async def test_a_login_endpoint_refusing_the_tenant_is_a_configuration_error(token_validator, entra):
    entra.status = 400
    refused = r"/\.well-known/openid-configuration answered 400: .*temporarily_unavailable"
    with pytest.raises(ConfigurationError, match=refused):
        await token_validator.authenticate(f"Bearer {entra.token((READER,))}", READER)


async def test_tokens_need_a_tenant_and_an_audience(entra):
    async with entra.client() as client:
        validator = TokenValidator(Settings.from_env({**APP_SETTINGS, "API_AUDIENCE": ""}), http=client)
        with pytest.raises(ConfigurationError, match="API_AUDIENCE"):
            await validator.authenticate(f"Bearer {entra.token((READER,))}", READER)
    assert entra.requests == []


async def test_roles_must_be_a_list_of_names(token_validator, entra, signing_key):
    token = jwt.encode({**entra.claims(), "roles": ADMIN}, signing_key, algorithm="RS256", headers={"kid": "key-1"})
    with pytest.raises(ForbiddenError, match=f"^the caller lacks the app role {re.escape(ADMIN)}$"):
        await token_validator.authenticate(f"Bearer {token}", ADMIN)
