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
        (?:(?:gå|hopp|skip)\s+(?:direkte\s+)?(?:til|to)\s+(?:hoved|main\s+)?
            (?:innhold|innhald|meny|menyen|søk|navigasjon|kontaktinformasjon|content|navigation|menu)\s*)+
            (?:\s*(?:(?:global)?meny|forsiden|søk))*  # and the menu's own labels beside them
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
# Document-sharing sites put the real text after a "Transkript" line (with or without a colon) ...
_TRANSCRIPT = re.compile(r"^\s*(?:transkript|transcript|tekstversjon|fulltekst)\s*:?\s*$", re.IGNORECASE | re.MULTILINE)
# ... and a list of unrelated titles under "Like dokumenter".
_SIMILAR_DOCS = re.compile(
    r"^\s*(?:like|lignende|relaterte|liknande)\s+dokument(?:er)?\s*:?\s*$", re.IGNORECASE | re.MULTILINE
)


# Icon names that a web page's icon font leaves in the text ("account_circle", "expand_more").
_ICON_NAME = re.compile(r"(?<![\w/.@-])[a-z]+(?:_[a-z]+)+(?![\w/.@-])")
# A line that is only a page number ("12", "- 12 -", "Side 3 av 16", "3 av 16", "s. 4").
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–]\s*)?(?:(?:side|s\.|page)\s*)?\d{1,4}(?:\s*(?:av|of|/)\s*\d{1,4})?(?:\s*[-–])?\s*$", re.I
)
# A table of contents: a title word (the Norwegian names of one: "Innhold", "Innholdsfortegnelse",
# "Innholdsoversikt", "Innhaldsliste" ...), or entries with dot leaders or page references ...
_TOC_TITLE = re.compile(
    r"^\s*(?:innh[oa]ld(?:s(?:fortegnelse|oversikt|liste|oversyn))?|contents|table\s+of\s+contents)\b", re.IGNORECASE
)
_TOC_ENTRY = re.compile(r"(?:\.{3,}|…)\s*\d{1,3}\b|\b[sS]\.\s?\d{1,3}\b")
# ... or a flattened one: many numbered section titles on one line ("1 Innledning 1.1 Bakgrunn 2 Mål"),
# with no sentence among them. A numbered list has one item per line, a section's text has sentences.
_NUMBERED_TITLE = re.compile(r"(?:^|\s)\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÆØÅ]")
_SENTENCE_END = re.compile(r"[a-zæøå]{2,}[.!?](?:\s|$)")
_FLAT_TOC_ENTRIES = 4
# A breadcrumb trail ("Startsiden > Artikkel", "Hjem › Politikk › Reglement"), page titles parted
# by slashes ("Heim/Administrasjon/Overordna leiing"; three at least, each capitalised, so that
# "og/eller" and a date are not one), or a trail whose separators the scrape lost, so that the
# site's root is glued to the next crumb ("HjemStrategi for ledelse").
_BREADCRUMB = re.compile(
    r"^\s*(?:\S[^>›»]{0,40}(?:\s[>›»]\s[^>›»]{1,40})+"
    r"|[A-ZÆØÅ][^/\n]{0,40}(?:\s?/\s?[A-ZÆØÅ][^/\n]{0,40}){2,}"
    r"|(?:Hjem|Forside|Forsida|Startsiden?|Home)[A-ZÆØÅ][^\n]{0,120})\s*$"
)
_RUNNING_REPEATS = 3
# A line of a postal address in a page's footer: a post box, a post code with its place, an address label.
_ADDRESS = re.compile(
    r"^(?:postboks\s+\d+|\d{4}\s+[A-ZÆØÅ][\wæøå-]+|(?:post|besøks|leverings|fakturerings)adresse\b.*)$", re.I
)
# A breadcrumb written as a list ("1. Hjem" / "2. Politikk"): a list whose first item is the site's
# root, alone, not introduced by a lead-in, and whose items are labels of at most four words.
_ROOT_CRUMB = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*])\s*(?:Hjem|Forside|Forsida|Startsiden?|Home)\s*$", re.I)
_CRUMB_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*])\s*[^\W\d]\S*(?:\s+\S+){0,3}\s*$")


def clean_text(text: str, *, names: tuple[str, ...] = ()) -> str:
    """Apply every noise rule to plain text and normalise line ends and spaces.

    ``names`` are the document's own title and owner: a header line that carries one of their
    words is the document's, never page chrome.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    text = _ICON_NAME.sub("", text)
    text = strip_scraped_noise(text)
    text = strip_web_chrome(text)
    text = strip_page_furniture(text)
    text = strip_page_head(text, names=names)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def strip_page_furniture(text: str) -> str:
    """Drop page numbers, tables of contents and the repeats of a running header.

    A short line that recurs at the top or bottom of page after page (pages are parted by form
    feeds) is a running header or footer: its first occurrence stays (it may be the only place
    the document names itself), the rest go.
    """
    paragraphs = re.split(r"(\n\s*\n)", text)
    kept: list[str] = []
    for paragraph in paragraphs:
        stripped = paragraph.strip()
        if stripped and (_TOC_TITLE.match(stripped) or len(_TOC_ENTRY.findall(stripped)) >= 3):
            continue
        kept.append(paragraph)
    text = "".join(kept)
    lines = text.split("\n")
    # Running headers and footers need pages to recur on: only paged text (PDF, form feeds) has them.
    counts: dict[str, int] = {}
    for page in text.split("\f") if "\f" in text else []:
        page_lines = [" ".join(line.split()).lower() for line in page.split("\n") if line.strip()]
        for key in set(page_lines[:2] + page_lines[-2:]):
            if len(key) <= 60:
                counts[key] = counts.get(key, 0) + 1
    out: list[str] = []
    seen: set[str] = set()
    for line in lines:
        key = " ".join(line.split()).lower()
        if key and (_PAGE_NUMBER.match(line) or _is_flattened_contents(line)):
            continue
        if key and counts.get(key, 0) >= _RUNNING_REPEATS and not _is_list_item(key):
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return "\n".join(out)


def _is_flattened_contents(line: str) -> bool:
    return len(_NUMBERED_TITLE.findall(line)) >= _FLAT_TOC_ENTRIES and not _SENTENCE_END.search(line)


def strip_page_head(text: str, *, names: tuple[str, ...]) -> str:
    """Drop a web page's chrome above its first paragraph of prose.

    Above the text a page has its menu, language and text-size buttons and breadcrumbs. There
    a line stays only when it is the document's: it carries a word of the title or owner, it
    leads in to what follows (ends with ":"), or it is the last line before the prose (the
    page's heading).
    """
    own = {w for name in names for w in _words(name) if len(w) >= 4}
    paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
    # Prose above the page's own title that names nothing of the document is the site's ("Talende
    # web har to lesemoduser …", a cookie notice): the page starts at its title.
    title = next((i for i, paragraph in enumerate(paragraphs) if _is_title_line(paragraph, own)), 0)
    above = paragraphs[:title]
    if any(_is_prose(p) for p in above) and not any(own & set(_words(p)) for p in above):
        paragraphs = paragraphs[title:]
    index = next((i for i, paragraph in enumerate(paragraphs) if _is_prose(paragraph)), None)
    if index is None:
        return text  # no prose at all: nothing to tell the chrome from
    head = [line for paragraph in paragraphs[:index] for line in paragraph.split("\n") if line.strip()]
    if not head:
        return text
    kept = [
        line
        for position, line in enumerate(head)
        if position == len(head) - 1
        or line.rstrip().endswith(":")
        or (own & set(_words(line)) and not _BREADCRUMB.match(line))
    ]
    return "\n\n".join(kept + _without_page_foot(paragraphs[index:], own))


def _without_page_foot(paragraphs: list[str], own: set[str]) -> list[str]:
    """The paragraphs without the site's footer below the text: trailing blocks of short lines that
    give a postal address ("Postboks 304", "5402 Stord", "Leveringsadresse:"), and marks with no
    word. A footer line that names the document's owner stays, as a header line would."""
    end = len(paragraphs)
    named: list[str] = []
    while end > 1:
        lines = [line.strip() for line in paragraphs[end - 1].split("\n") if line.strip()]
        if _words(paragraphs[end - 1]) and not (
            all(len(line.split()) <= 5 for line in lines) and any(_ADDRESS.search(line) for line in lines)
        ):
            break
        named = [line for line in lines if own & set(_words(line)) and not _ADDRESS.search(line)] + named
        end -= 1
    return paragraphs[:end] + (["\n".join(named)] if named else [])


def _is_title_line(paragraph: str, own: set[str]) -> bool:
    """A line of the document's own title or owner words only ("Delegeringsreglement")."""
    words = [w for w in _words(paragraph) if len(w) >= 4]
    return "\n" not in paragraph.strip() and 0 < len(words) <= 8 and set(words) <= own


def _is_prose(paragraph: str) -> bool:
    words = paragraph.split()
    return len(words) >= 10 or (len(words) >= 5 and bool(re.search(r"[.!?]\s*$", paragraph)))


def _is_list_item(key: str) -> bool:
    return bool(re.match(r"^(?:[-•*–]|\d{1,2}[.)])\s", key))


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.lower())]


def strip_scraped_noise(text: str) -> str:
    """Keep only the transcript of a document-sharing page, without its "similar documents" list.

    The first line (the page's title) is kept, since the transcript rarely repeats it.
    """
    transcript = _TRANSCRIPT.search(text)
    similar = _SIMILAR_DOCS.search(text)
    if transcript is not None:
        # The page's first line is the document's title (often with its date or version): keep it.
        title = text.lstrip().split("\n", 1)[0].strip()
        body = strip_transcript_page_numbers(text[transcript.end() :])
        if title and not _TRANSCRIPT.match(title) and title.lower() not in body[:300].lower():
            return f"{title}\n\n{body}"
        return body
    if similar is not None:
        # No transcript marker: the list runs until the first paragraph that reads as prose.
        rest = text[similar.end() :].split("\n\n")
        for i, paragraph in enumerate(rest):
            if len(paragraph) > 400 or paragraph.count(". ") >= 3:
                return text[: similar.start()] + "\n\n".join(rest[i:])
        return text[: similar.start()]
    return text


def strip_transcript_page_numbers(text: str) -> str:
    """A transcript starts each page's paragraph with its page number ("1 ...", "2 ...", "3 ...").

    When the leading numbers of the paragraphs count up, they are page numbers: drop them, and
    the same number repeated at the paragraph's end ("1 DELEGASJONSREGLEMENT ... 1", "... 1 av 14").
    """
    paragraphs = re.split(r"(\n\s*\n)", text)
    numbers = [(i, re.match(r"^\s*(\d{1,3})(?:\s+|$)", p)) for i, p in enumerate(paragraphs) if p.strip()]
    found = [(i, int(m.group(1))) for i, m in numbers if m is not None]
    if (
        len(found) < 2
        or sum(1 for (_, a), (_, b) in zip(found, found[1:], strict=False) if b == a + 1) < len(found) // 2
    ):
        return text
    for i, number in found:
        body = paragraphs[i].lstrip()[len(str(number)) :].strip()
        body = re.sub(rf"\s+(?:side\s+)?{number}(?:\s*(?:av|of|/)\s*\d{{1,4}})?\s*$", "", body, flags=re.IGNORECASE)
        paragraphs[i] = body
    return "".join(paragraphs)


def strip_web_chrome(text: str) -> str:
    """Drop navigation and footer lines and breadcrumb lists; cut at a "back to top" line near the end."""
    lines = text.split("\n")
    kept: list[str] = []
    crumbs = False  # inside a breadcrumb list
    for index, line in enumerate(lines):
        if _FOOTER_START.match(line) and index > len(lines) // 2:
            break
        # A list that a lead-in introduces ("Slik gjør du det:", "Vi tilbyr:") is content, whatever its first item.
        introduced = bool(kept) and kept[-1].rstrip().endswith(":")
        crumbs = (bool(_ROOT_CRUMB.match(line)) and not introduced) or (crumbs and bool(_CRUMB_ITEM.match(line)))
        if crumbs or _CHROME_LINE.match(line):
            continue
        kept.append(line)
    return "\n".join(kept)
