"""Figure debris: what OCR makes of a diagram or a table drawn as a picture.

Placeholder, filled in below.
"""

from __future__ import annotations


def drop_figure_debris(text: str) -> str:
    return text
