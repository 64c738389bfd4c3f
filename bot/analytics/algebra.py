"""The exact audit behind the disclosure control: which published cells give away which hidden ones.

The cells are sums over an unknown table of counts (unit × level × channel × theme × week). Their
indicator vectors are linearly dependent only through "every dimension sums to the same total"
(per week), so the check works in the small space of (dimension, value, week) with those relations
added, instead of the full product table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np

DIMENSIONS = ("unit", "level", "channel", "theme")
TOTAL = ("total", "*")  # the key of a period's total cell
Key = tuple[str, str, str]  # (dimension, value, period)


class Cell(Protocol):
    """What the audit needs of a cell: the fewest different people it can be."""

    def people(self) -> int: ...


class Algebra:
    """Which cells follow from which, exactly.

    The cells are sums over an unknown table of counts (unit × level × channel × theme × week). Two
    cells' indicator vectors are linearly dependent only through "every dimension sums to the same
    total" (per week), so the check works in the small space of (dimension, value, week) with those
    relations added, instead of the full product table.
    """

    def __init__(self, values: dict[str, dict[str, list[str]]], months: dict[str, list[str]] | None = None) -> None:
        self.values = values
        self.months = months or {}
        self.index: dict[tuple[str, str, str], int] = {}
        for w, dims in values.items():
            for d in DIMENSIONS:
                for v in dims[d]:
                    self.index[(d, v, w)] = len(self.index)
        relations = []
        for w, dims in values.items():
            for d in DIMENSIONS[1:]:
                row = np.zeros(len(self.index))
                for v in dims[d]:
                    row[self.index[(d, v, w)]] += 1
                for v in dims[DIMENSIONS[0]]:
                    row[self.index[(DIMENSIONS[0], v, w)]] -= 1
                relations.append(row)
        self.relations = np.array(relations).reshape(-1, len(self.index))

    def vector(self, key: Key) -> np.ndarray:
        d, v, period = key
        weeks = self.months.get(period, [period])
        row = np.zeros(len(self.index))
        for w in weeks:
            if d == TOTAL[0]:
                # A week's total is the sum over any one dimension; use one that lists values.
                dims = self.values[w]
                full = next((dim for dim in DIMENSIONS if dims[dim]), DIMENSIONS[0])
                for value in dims[full]:
                    row[self.index[(full, value, w)]] += 1
            elif (d, v, w) in self.index:
                row[self.index[(d, v, w)]] += 1
        return row

    def base(self, cells: Mapping[Key, Cell], shown_fixed: Iterable[Key]) -> np.ndarray:
        """An orthonormal basis of what does not change while a scope is decided: the relations and the
        published cells of finished decisions (a month's weeks)."""
        rows = [self.relations, *[self.vector(key)[None, :] for key in shown_fixed]]
        return _row_basis(np.vstack(rows))

    def leak(
        self,
        cells: Mapping[Key, Cell],
        hidden: set[Key],
        *,
        fixed: set[Key],
        base: np.ndarray,
        fallback: Key | None = None,
    ) -> Key | None:
        """A published cell to hide because some hidden cell follows from the published ones; None if none does.

        A hidden cell follows from what is known exactly when its vector has no part outside the span of
        ``base`` and the published cells being decided.
        """
        shown = [key for key in cells if key not in hidden]
        targets = [key for key in sorted(hidden) if key in cells]
        if not targets:
            return None
        deciding = [key for key in shown if key not in fixed]
        basis = base
        if deciding:
            extra = np.array([self.vector(key) for key in deciding])
            if base.size:
                extra = extra - (extra @ base.T) @ base
            more = _row_basis(extra)
            basis = np.vstack([base, more]) if base.size else more
        vectors = np.array([self.vector(key) for key in targets])
        residual = vectors - (vectors @ basis.T) @ basis if basis.size else vectors
        for key, vector, rest in zip(targets, vectors, residual, strict=True):
            if not vector.any() or np.linalg.norm(rest) > 1e-6:
                continue
            # Hide the smallest published cell of the same period, preferring the same dimension.
            candidates = sorted(
                (c for c in deciding if c[2] == key[2] or key in fixed),
                key=lambda c: (c[0] != key[0], cells[c].people(), c),
            )
            if candidates:
                return candidates[0]
            if fallback is not None and fallback not in hidden:
                return fallback
        return None


def _row_basis(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning the rows of ``matrix``."""
    if not matrix.size:
        return matrix
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    tolerance = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    return vt[singular > max(tolerance, 1e-9)]
