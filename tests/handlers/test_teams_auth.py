"""Teams tokens as an attacker forges them: signed by a key the bot trusts (a local stand-in for Microsoft's
key server), but from the wrong issuer, tenant or calling app, or without a key id. Each is a 401, never a 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import (
    JwtTokenValidator,
    _JwkClientCacheEntry,
)

from bot.dialog import Dialog
from handlers.server import build_server
from handlers.teams.app import TeamsOptions, build_teams_agent
from handlers.teams.auth import TokenPolicy
from loopback.core import make_intake
from loopback.slack import start_on_loopback
from tests.handlers.cards.check import teams_cards_are_valid  # noqa: F401  (autouse: every card checked)
from tests.handlers.test_teams import _activity

pytestmark = pytest.mark.integration

APP_ID = "00000000-0000-0000-0000-0000000000a1"
TENANT = "00000000-0000-0000-0000-0000000000aa"
OTHER_TENANT = "00000000-0000-0000-0000-0000000000bb"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def trusted_keys() -> Iterator[None]:
    """Microsoft's key endpoints answered from loopback with our test key (no network in tests)."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True) | {"kid": "k1", "use": "sig"}

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/keys", keys)
    runner, port = loop.run_until_complete(start_on_loopback(app))
    import threading

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    cache = JwtTokenValidator._jwk_client_manager._cache
    saved = dict(cache)
    client = jwt.PyJWKClient(f"http://127.0.0.1:{port}/keys")
    for uri in (
        f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys",
        "https://login.botframework.com/v1/.well-known/keys",
    ):
        cache[uri] = _JwkClientCacheEntry(client, threading.Lock())
    try:
        yield
    finally:
        cache.clear()
        cache.update(saved)
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def _token(*, kid: str | None = "k1", **claims: Any) -> str:
    now = int(time.time())
    body = {"aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600, **claims}
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(body, KEY, algorithm="RS256", headers=headers)


ENTRA = f"https://login.microsoftonline.com/{TENANT}/v2.0"
CASES = {
    "accepted: Entra, our tenant, our app": (dict(iss=ENTRA, tid=TENANT, azp=APP_ID), True),
    "accepted: Bot Framework": (dict(iss="https://api.botframework.com", serviceurl="http://x"), True),
    "another tenant's issuer": (
        dict(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0", tid=OTHER_TENANT, azp=APP_ID),
        False,
    ),
    "any issuer": (dict(iss="https://evil.example/", tid=TENANT, azp=APP_ID), False),
    "our issuer, another tid": (dict(iss=ENTRA, tid=OTHER_TENANT, azp=APP_ID), False),
    "our tenant, another app": (dict(iss=ENTRA, tid=TENANT, azp="11111111-2222-3333-4444-555555555555"), False),
    "our tenant, no calling app": (dict(iss=ENTRA, tid=TENANT), False),
}


@pytest.mark.parametrize("case", [c for c, (_, accepted) in CASES.items() if not accepted])
def test_forged_teams_tokens_are_refused(dialog: Dialog, trusted_keys: None, case: str) -> None:
    """Validly signed, right audience, not expired: refused for the issuer, tenant or calling app alone."""
    claims, _ = CASES[case]
    assert asyncio.run(_post(dialog, {"Authorization": f"Bearer {_token(**claims)}"})) == 401


def test_the_policy_accepts_exactly_the_good_claims() -> None:
    # An accepted token goes on to the turn, whose reply needs a real Entra token (the network):
    # so acceptance is checked on the policy the endpoint applies, refusal end to end above.
    policy = TokenPolicy(tenant_id=TENANT, callers=frozenset({APP_ID}))
    for case, (claims, accepted) in CASES.items():
        assert (policy.refusal(claims, TENANT) is None) == accepted, case
    bot_framework = CASES["accepted: Bot Framework"][0]
    assert policy.refusal(bot_framework, OTHER_TENANT) == "activity tenant"
    assert policy.refusal(bot_framework, None) == "activity tenant"


def test_a_bot_framework_token_for_another_tenants_activity_is_refused(dialog: Dialog, trusted_keys: None) -> None:
    # The Bot Framework signs for every tenant that installed the bot: the activity must be from ours.
    token = _token(**CASES["accepted: Bot Framework"][0])
    assert asyncio.run(_post(dialog, {"Authorization": f"Bearer {token}"}, tenant=OTHER_TENANT)) == 401


@pytest.mark.parametrize("token", [_token(kid=None, iss=ENTRA, tid=TENANT, azp=APP_ID), "a.b.c", "not-a-jwt"])
def test_a_token_without_kid_or_malformed_is_401_not_500(dialog: Dialog, token: str) -> None:
    assert asyncio.run(_post(dialog, {"Authorization": f"Bearer {token}"})) == 401


async def _post(dialog: Dialog, headers: dict[str, str], *, tenant: str = TENANT) -> int:
    import aiohttp

    options = TeamsOptions(app_id=APP_ID, app_password="secret", tenant_id=TENANT)
    intake = make_intake(dialog)
    agent = build_teams_agent(dialog=dialog, options=options, intake=intake)
    server = build_server(warm_up=lambda: None, intake=intake, teams=agent)
    runner, port = await start_on_loopback(server)
    try:
        # A typing activity: nothing to answer, so no outgoing call needs a real token.
        activity = _activity("http://127.0.0.1:9/", "hei") | {"type": "typing"}
        activity["conversation"]["tenantId"] = activity["channelData"]["tenant"]["id"] = tenant
        url = f"http://127.0.0.1:{port}/api/messages"
        async with aiohttp.ClientSession() as session, session.post(url, json=activity, headers=headers) as r:
            return r.status
    finally:
        await runner.cleanup()
