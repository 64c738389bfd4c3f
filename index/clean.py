"""Remove what is not the document: website chrome, scraped-page noise, OCR figure debris.

The rules describe kinds of noise (a municipal web page's navigation and footer, a document-sharing
site's list of "similar documents"), never one file, so a newly added document gets the same
treatment.
"""

from __future__ import annotations

import re

# Lines that are a web page's navigation, contact footer or page furniture, never content.
_CHROME_LINE = re.compile(
    r"""^\s*(?:
        (?:gå|hopp)\s+til\s+(?:hoved)?innhold.*
      | (?:global)?meny\b.*
      | forsiden
      | toppbilde
      | logo\b.*
      | skriv\s+ut
      | del\s+(?:på|siden).*
      | .*\s-\s*klikk\s+for\s+personkort
      | klikk\s+for\s+større\s+grafikk
      | (?:publisert|sist\s+endret|oppdatert)\s*:.*
      | (?:post|postadresse|besøksadresse|tlf|telefon|faks|e-post|org\.?\s*nr\.?|åpningstid)\s*:.*
      | saksbehandler\s*:.*
      | arkivref\.?.*
      | saksordfører\s*:.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Everything after this line of a web page is its footer.
_FOOTER_START = re.compile(r"^\s*(?:til\s+toppen(?:\s+av\s+siden)?|tilbake\s+til\s+toppen)\s*$", re.IGNORECASE)
# Document-sharing sites put the real text after a "Transkript:" line ...
_TRANSCRIPT = re.compile(r"^\s*(?:transkript|transcript|tekstversjon)\s*:\s*$", re.IGNORECASE | re.MULTILINE)
# ... and a list of unrelated titles under "Like dokumenter".
_SIMILAR_DOCS = re.compile(
    r"^\s*(?:like|lignende|relaterte|liknande)\s+dokument(?:er)?\s*:?\s*$", re.IGNORECASE | re.MULTILINE
)


def clean_text(text: str) -> str:
    """Apply every noise rule to plain text and normalise line ends and spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    text = strip_scraped_noise(text)
    text = strip_web_chrome(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def strip_scraped_noise(text: str) -> str:
    """Keep only the transcript of a document-sharing page, without its "similar documents" list.

    The first line (the page's title) is kept, since the transcript rarely repeats it.
    """
    transcript = _TRANSCRIPT.search(text)
    similar = _SIMILAR_DOCS.search(text)
    if transcript is not None:
        head = text[: similar.start()] if similar is not None and similar.start() < transcript.start() else ""
        return head + text[transcript.end() :]
    if similar is not None:
        # No transcript marker: the list runs until the first paragraph that reads as prose.
        rest = text[similar.end() :].split("\n\n")
        for i, paragraph in enumerate(rest):
            if len(paragraph) > 400 or paragraph.count(". ") >= 3:
                return text[: similar.start()] + "\n\n".join(rest[i:])
        return text[: similar.start()]
    return text


def strip_web_chrome(text: str) -> str:
    """Drop navigation and footer lines; cut at a "back to top" line near the end."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _FOOTER_START.match(line) and index > len(lines) // 2:
            break
        if _CHROME_LINE.match(line):
            continue
        kept.append(line)
    return "\n".join(kept)
