"""The questions behind recent answers, in memory: buttons carry an answer's reference, never its text.

«Vis mer», «Del i kanalen» and «Spør HR» need the question again, and feedback must come from the
asker alone. The question text of an answered question is never stored (see the privacy rules), so
it lives here for a while, bounded in number and age; after that (or a restart) the leader is told
to ask again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.questions import Asker


@dataclass(frozen=True)
class Recent:
    question: str
    asker: Asker
    source: str = ""  # the source line of the answer shown, for «Spør HR»


class RecentAnswers:
    """Reference → (question, asker), at most ``size`` entries for at most ``ttl_seconds``.

    Example:
        >>> recent = RecentAnswers()
        >>> recent.remember("ab12", "Hva er lojalitet?", Asker("slack", "T1", "U1", "dm"))
        >>> recent.get("ab12").question
        'Hva er lojalitet?'
    """

    def __init__(
        self, *, size: int = 10_000, ttl_seconds: float = 24 * 3600, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if size < 1 or ttl_seconds <= 0:
            raise ValueError(f"size must be >= 1 and ttl_seconds > 0, got {size}, {ttl_seconds}")
        self._size = size
        self._ttl = ttl_seconds
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Recent]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, reference: str, question: str, asker: Asker, *, source: str = "") -> None:
        with self._lock:
            self._items[reference] = (self._clock(), Recent(question=question, asker=asker, source=source))
            self._items.move_to_end(reference)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, reference: str) -> Recent | None:
        with self._lock:
            found = self._items.get(reference)
            if found is None:
                return None
            if self._clock() - found[0] > self._ttl:
                del self._items[reference]
                return None
            return found[1]

    def is_asker(self, reference: str, *, channel: str, user: str) -> bool:
        """True only when ``user`` in ``channel`` asked the question behind ``reference``."""
        found = self.get(reference)
        return found is not None and found.asker.channel == channel and found.asker.user == user
