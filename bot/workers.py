"""Thread pools kept apart, so quick work never queues behind slow work.

Searches (model inference over the index) run on a small bounded pool; storing an event before
its acknowledgement and other short database calls run on their own pool. Acknowledgements,
modals and health checks therefore never wait for a search to finish.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Workers:
    """Example:
    >>> workers = Workers(search_threads=2, store_threads=4)
    >>> asked = await workers.search(questions.ask, "Hva er lojalitet?", asker=asker)
    """

    def __init__(self, *, search_threads: int = 2, store_threads: int = 4) -> None:
        if search_threads < 1 or store_threads < 1:
            raise ValueError(f"thread counts must be >= 1, got {search_threads} and {store_threads}")
        self._search = ThreadPoolExecutor(max_workers=search_threads, thread_name_prefix="search")
        self._store = ThreadPoolExecutor(max_workers=store_threads, thread_name_prefix="store")

    async def search(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run slow work (a search, a reflection step that may search) on the bounded search pool."""
        return await asyncio.get_running_loop().run_in_executor(self._search, functools.partial(fn, *args, **kwargs))

    async def store(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a short database call on the store pool."""
        return await asyncio.get_running_loop().run_in_executor(self._store, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        self._search.shutdown(wait=False, cancel_futures=True)
        self._store.shutdown(wait=False, cancel_futures=True)
