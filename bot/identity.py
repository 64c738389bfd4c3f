"""Pseudonymous leader keys: a keyed hash of (channel, workspace, user), never the id itself.

The key is its own secret (``LEDERBOT_PSEUDONYM_KEY``), never derived from a channel secret: whoever
holds the Slack signing secret must not be able to recompute the keys. Every key has a key id (the
first hex digits of its SHA-256), so a rotated key can be told apart from a lost one; the previous
keys (``LEDERBOT_PSEUDONYM_PREVIOUS_KEYS``) keep a leader's older rows reachable until they have
been moved to the current key (see ``bot.store.people.rekey``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "pseudonym.key"


def key_id(key: bytes) -> str:
    """A short public name for a key (safe to log and to store): it does not reveal the key."""
    return hashlib.sha256(b"lederbot-key-id\x00" + key).hexdigest()[:8]


class Pseudonymizer:
    """Turns a chat identity into a stable key that cannot be reversed without the secret.

    Example:
        >>> Pseudonymizer(key=b"secret-secret-secret").leader_key("slack", "T1", "U1")[:8]
        'befb823d'
    """

    def __init__(self, *, key: bytes, previous: tuple[bytes, ...] = ()) -> None:
        for candidate in (key, *previous):
            if len(candidate) < 16:
                raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self._previous = tuple(p for p in previous if p != key)

    @property
    def key_id(self) -> str:
        return key_id(self._key)

    @property
    def previous_ids(self) -> tuple[str, ...]:
        return tuple(key_id(p) for p in self._previous)

    @staticmethod
    def _leader(key: bytes, channel: str, workspace: str, user: str) -> str:
        return hmac.new(key, f"{channel}\x1f{workspace}\x1f{user}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _owner(key: bytes, channel: str, user: str) -> str:
        return hmac.new(key, f"owner\x1f{channel}\x1f{user}".encode(), hashlib.sha256).hexdigest()

    def leader_key(self, channel: str, workspace: str, user: str) -> str:
        """The key usage figures are counted under."""
        return self._leader(self._key, channel, workspace, user)

    def owner_key(self, channel: str, user: str) -> str:
        """The key a leader's reflection answers are kept under; `lederbot data` finds it from the user id."""
        return self._owner(self._key, channel, user)

    def previous_leader_keys(self, channel: str, workspace: str, user: str) -> list[str]:
        return [self._leader(k, channel, workspace, user) for k in self._previous]

    def previous_owner_keys(self, channel: str, user: str) -> list[str]:
        return [self._owner(k, channel, user) for k in self._previous]

    def tag(self, person: str) -> str:
        """The asker tag of an unanswered question: counts different people without naming one.

        It is a keyed hash of the person (not of the chat key), so nothing in the database joins it
        to a leader; only someone holding the key and the person can recompute it (to delete).
        """
        return hmac.new(self._key, f"asker\x1f{person}".encode(), hashlib.sha256).hexdigest()

    def all_tags(self, person: str) -> list[str]:
        return [
            hmac.new(k, f"asker\x1f{person}".encode(), hashlib.sha256).hexdigest() for k in (self._key, *self._previous)
        ]


def parse_keys(current: str | None, previous: str | None) -> tuple[bytes, tuple[bytes, ...]] | None:
    """The current key and the previous ones (comma-separated) as given in the environment."""
    if not current:
        return None
    older = tuple(p.strip().encode() for p in (previous or "").split(",") if p.strip())
    return current.encode(), older


def local_key(data_dir: Path) -> tuple[bytes, bool]:
    """The key of a local (terminal) installation: read from the data folder, or generated there once.

    Returns the key and whether it was generated now (the caller tells the user where it is).
    """
    path = data_dir / KEY_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip().encode(), False
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions before anything is written to it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key.encode(), True
