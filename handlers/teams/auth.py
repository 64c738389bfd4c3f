"""What the Agents SDK's token check leaves out, checked before and after it on /api/messages.

The SDK verifies the signature, audience and expiry. Before it: a token without ``kid`` (the SDK
would fail with a KeyError, a 500) is refused. After it, on the verified claims: the issuer must
be the Bot Framework or Entra for our tenant; an Entra token must carry our tenant (``tid``) and
come from an allowed calling app (``appid`` / ``azp``); a Bot Framework token names no tenant, so
the activity must be from ours. Anything else is a 401 with no detail.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUERS = frozenset({"https://api.botframework.com", "https://api.botframework.us"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class TokenPolicy:
    """Who may call /api/messages: Bot Framework tokens, or Entra tokens of ``tenant_id`` from ``callers``."""

    tenant_id: str
    callers: frozenset[str] = field(default_factory=frozenset)  # app ids allowed in appid / azp

    def __post_init__(self) -> None:
        if not self.tenant_id:
            raise ValueError("TokenPolicy needs the tenant id")

    def refusal(self, claims: dict[str, Any], activity_tenant: str | None = None) -> str | None:
        """Why verified ``claims`` are not accepted, or None when they are. A Bot Framework token
        names no tenant: then the activity's own tenant (``activity_tenant``) must be ours, or any
        Teams tenant with our bot installed could talk to it."""
        issuer = str(claims.get("iss") or "")
        tenant = self.tenant_id.lower()
        if issuer in BOT_FRAMEWORK_ISSUERS:
            return None if (activity_tenant or "").lower() == tenant else "activity tenant"
        if issuer.lower() not in (
            f"https://login.microsoftonline.com/{tenant}/v2.0",
            f"https://sts.windows.net/{tenant}/",
        ):
            return "issuer"
        if str(claims.get("tid") or "").lower() != tenant:
            return "tenant"
        caller = str(claims.get("azp") or claims.get("appid") or "")
        if caller not in self.callers:
            return "caller"
        return None


def _refuse(reason: str) -> web.Response:
    log.warning("Teams token refused (%s)", reason)
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401)


def before_sdk(handler: Handler) -> Handler:
    """Refuse tokens the SDK cannot even look up a key for."""

    async def checked(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if header and scheme.lower() == "bearer" and token.strip():
            try:
                unverified = jwt.get_unverified_header(token.strip())
            except jwt.PyJWTError:
                return _refuse("malformed")
            if not isinstance(unverified.get("kid"), str) or not unverified.get("kid"):
                return _refuse("no kid")
        return await handler(request)

    return checked


def after_sdk(handler: Handler, *, policy: TokenPolicy | None) -> Handler:
    """Check the claims the SDK verified (``request["claims_identity"]``) against ``policy``."""
    if policy is None:  # anonymous mode for a local connector: no token to check
        return handler

    async def checked(request: web.Request) -> web.StreamResponse:
        identity = request.get("claims_identity")
        claims = dict(getattr(identity, "claims", None) or {})
        reason = policy.refusal(claims, await _activity_tenant(request)) if claims else "no claims"
        if reason is not None:
            return _refuse(reason)
        return await handler(request)

    return checked


async def _activity_tenant(request: web.Request) -> str | None:
    """The tenant an activity says it comes from (aiohttp keeps the body for the handler after us)."""
    try:
        body = await request.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    conversation = _object(body.get("conversation"))
    tenant = _object(_object(body.get("channelData")).get("tenant"))
    found = conversation.get("tenantId") or tenant.get("id")
    return str(found) if found else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
