"""Chunking invariants on the real documents: size, whole sentences, heading paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.chunk import CARRIED, chunk_sections, split_sentences
from index.clean import clean_text
from index.documents import DocumentMeta, Section
from index.ingest import Corpus
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.unit
META = DocumentMeta(id="d", file="d.txt", title="T", owner="O")


def _sections(corpus: Corpus, doc_id: str) -> set[tuple[str, ...]]:
    return {p.heading_path for d in corpus.documents if d.meta.id == doc_id for p in d.passages}


def test_every_passage_fits(corpus: Corpus) -> None:
    passages = corpus.passages
    assert len(passages) > 50
    assert max(len(p.text) for p in passages) <= 1200


def test_passages_end_on_sentence_boundaries(corpus: Corpus) -> None:
    for doc in corpus.documents:
        for passage in doc.passages:
            for sentence in split_sentences(passage.text):
                # Re-splitting a passage gives back whole sentences: none was cut in two.
                assert sentence in passage.text
            assert passage.document_id == doc.meta.id
            assert passage.title == doc.meta.title and passage.owner == doc.meta.owner
        positions = [p.position for p in doc.passages]
        assert positions == list(range(len(positions)))


def test_sentence_split_keeps_abbreviations() -> None:
    text = "Lederen har f.eks. ansvar for HMS, jf. pkt. 8.3 foran. Rådmannen delegerer myndighet."
    assert split_sentences(text) == [
        "Lederen har f.eks. ansvar for HMS, jf. pkt. 8.3 foran.",
        "Rådmannen delegerer myndighet.",
    ]


def test_no_sentence_is_cut_between_passages() -> None:
    sentences = [f"Setning nummer {i} handler om delegering av myndighet i linjen." for i in range(60)]
    section = Section(("3.1 Delegering",), (" ".join(sentences),))
    passages = chunk_sections(META, [section], max_chars=300)
    assert len(passages) > 5
    rebuilt: list[str] = []
    for passage in passages:
        found = split_sentences(passage.text)
        if rebuilt and found[0] == rebuilt[-1]:
            found = found[1:]  # the one sentence a passage repeats from the one before it
        rebuilt.extend(found)
    assert rebuilt == sentences
    for before, after in zip(passages, passages[1:], strict=False):
        assert split_sentences(after.text)[0] == split_sentences(before.text)[-1]  # one sentence of overlap
        assert after.extra == {CARRIED: "1"}  # and the passage says so, for the reader's view
    assert passages[0].extra == {}


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=4000))
def test_random_text_never_breaks_the_limit(text: str) -> None:
    passages = chunk_sections(META, [Section(("x",), (text,))], max_chars=200)
    assert all(len(p.text) <= 200 for p in passages)


def test_heim_numbered_sections(corpus: Corpus) -> None:
    paths = _sections(corpus, "heim-styring-og-ledelse")
    assert ("3 Enhetsoppgavene", "3.1 Delegering") in paths
    assert ("10 Ledelse", "10.1 Lojalitet") in paths
    assert any("10.2 Lederplattform" in " ".join(p) for p in paths)


def test_ks_guide_headings(corpus: Corpus) -> None:
    paths = {" › ".join(p) for p in _sections(corpus, "ks-guide-til-god-ledelse")}
    assert any(p.endswith("Å lede med tydelige verdier") for p in paths)
    assert any("«EFFEKTJEGEREN»" in p for p in paths)


def test_trondheim_news_titles(corpus: Corpus) -> None:
    paths = _sections(corpus, "trondheim-helhetlig-ledelse")
    assert ("Nytt akseleratorprogram: Sensemaker",) in paths
    assert ("Økonomiske konsekvenser av ny ledermodell",) in paths


def test_lorenskog_topic_starts(corpus: Corpus) -> None:
    titles = {p[-1] for p in _sections(corpus, "lorenskog-lederplattform")}
    assert {"Arbeidsgiverrollen", "Ledernivåer", "Personalansvar"} <= titles


def test_levanger_web_chrome_removed() -> None:
    text = clean_text((KNOWLEDGE / "levanger-ledelsesplattform.txt").read_text(encoding="utf-8"))
    for noise in (
        "Gå til innhold",
        "Globalmeny",
        "Til toppen av siden",
        "Org.nr",
        "postmottak@",
        "klikk for personkort",
    ):
        assert noise not in text
    assert "rådmannen har myndighet til å vedta ny ledelsesplattform" in " ".join(text.split())


def test_lorenskog_similar_documents_removed() -> None:
    text = clean_text((KNOWLEDGE / "lorenskog-lederplattform.txt").read_text(encoding="utf-8"))
    assert "Like dokumenter" not in text
    assert "Bærum kommune LEDELSESPOLICY" not in text
    assert "Lønnspolitiskplan" not in text
    assert text.startswith("Lederplattform for Lørenskog kommune")
    assert re.search(r"Styringsretten følges av en styringsplikt", text)


def test_heim_figure_debris_never_reaches_a_passage(corpus: Corpus) -> None:
    heim = [p.text for p in corpus.passages if p.document_id == "heim-styring-og-ledelse"]
    text = "\n".join(heim)
    for debris in ("Andre @", "|| Virksomhetsstyring", "L4 14", "1 Y a", "Qo", "G f f"):
        assert debris not in text
    # The real short list under a lead-in stays, as does the list of fokusområder.
    assert "Handlingsplan med årsbudsjett" in text and "ROS-analyser" in text
    assert "Økonomi" in text and "Interne prosesser" in text
    # The document's title lines lead its first passage rather than making a passage of their own.
    assert heim[0].startswith("Styring og ledelse – Heim kommune") and "Dette dokumentet" in heim[0]


@pytest.mark.unit
@pytest.mark.parametrize("lead_in", ["Kjernekompetansene er beskrevet slik:", "Ledere i kommunen skal"])
def test_a_list_that_fits_in_a_passage_is_not_split_from_its_lead_in(lead_in: str) -> None:
    prose = [f"Setning nummer {i} handler om ledelse i kommunen." for i in range(6)]
    items = [f"{n}. Kompetanse nummer {n} for ledere" for n in range(1, 8)]
    section = Section(("Ledelse",), (" ".join(prose), "\n".join([lead_in, *items])))
    passages = chunk_sections(META, [section], max_chars=420)
    holding = [p for p in passages if lead_in in p.text]
    assert len(holding) == 1 and all(item in holding[0].text for item in items)
    assert passages[0].text.startswith("Setning nummer 0")
    # A list longer than a passage is split as before: nothing is lost, no passage is too long.
    long = [f"- Punkt nummer {n} om delegering av myndighet i linjen" for n in range(40)]
    passages = chunk_sections(META, [Section(("x",), (" ".join(prose), "\n".join([lead_in, *long])))], max_chars=420)
    assert all(len(p.text) <= 420 for p in passages) and all(any(i in p.text for p in passages) for i in long)
