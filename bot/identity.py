"""Pseudonymous leader keys: a keyed hash of (channel, workspace, user), never the id itself."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    """Turns a chat identity into a stable key that cannot be reversed without the secret.

    Example:
        >>> Pseudonymizer(key=b"secret-secret-secret").leader_key("slack", "T1", "U1")[:8]
        'befb823d'
    """

    def __init__(self, *, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def leader_key(self, channel: str, workspace: str, user: str) -> str:
        """The key usage figures are counted under."""
        message = f"{channel}\x1f{workspace}\x1f{user}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def owner_key(self, channel: str, user: str) -> str:
        """The key a leader's reflection answers are kept under; `lederbot data` finds it from the user id."""
        message = f"owner\x1f{channel}\x1f{user}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def derive_key(*, explicit: str | None, fallback_secret: str | None) -> bytes:
    """The HMAC key: ``LEDERBOT_PSEUDONYM_KEY``, or one derived from another secret of the deployment.

    Deriving from the Slack signing secret keeps a deployment to the three Slack variables
    while the key still comes only from the environment and stays stable across restarts.
    """
    if explicit:
        return explicit.encode()
    if fallback_secret:
        return hashlib.sha256(b"lederbot-pseudonym\x00" + fallback_secret.encode()).digest()
    raise ValueError("no secret for pseudonymous keys: set LEDERBOT_PSEUDONYM_KEY")
