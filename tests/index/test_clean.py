"""Cleaning by shape: each kind of debris is removed, the document's own lines are kept.

The texts are written here in the shapes real pages have (a document-sharing transcript, a
municipal web page, a PDF with running headers, a scanned figure); none is a seed document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_text
from index.debris import drop_figure_debris
from index.ingest import Ingestor
from index.owners import OwnerNames
from index.structure import plain_blocks, sections

pytestmark = pytest.mark.unit

PROSE = (
    "Kommunestyret har vedtatt at rådmannen kan delegere myndighet videre til enhetslederne. "
    "Den som delegerer, har fortsatt ansvaret for at myndigheten brukes riktig."
)

TRANSCRIPT_PAGE = f"""Vedtatt i kommunestyret 12.03.2020, versjon 2 DELEGERINGSREGLEMENT FOR FJELLVIK KOMMUNE

Save this PDF as:
 WORD  PNG  TXT  JPG

Størrelse: px
Begynne med side:

Download "Vedtatt i kommunestyret 12.03.2020 DELEGERINGSREGLEMENT FOR FJELLVIK KOMMUNE"

Transkript

1 DELEGERINGSREGLEMENT FOR FJELLVIK KOMMUNE 1

2 INNHOLD KAP. 1 FORMÅL... 3 KAP. 2 DELEGERING TIL RÅDMANNEN... 4 KAP. 3 VIDEREDELEGERING... 6

3 Kap. 1 Formål {PROSE}

4 Kap. 2 Delegering til rådmannen Rådmannen har myndighet i alle saker som ikke er av prinsipiell betydning.
"""


def test_transcript_without_colon_keeps_title_and_drops_page_numbers() -> None:
    text = clean_text(TRANSCRIPT_PAGE)
    for debris in ("Save this PDF", "Størrelse: px", "Begynne med side", "Download", "Transkript", "WORD  PNG"):
        assert debris not in text
    # The title line holds the date and version: it is the document's own.
    assert text.startswith("Vedtatt i kommunestyret 12.03.2020, versjon 2 DELEGERINGSREGLEMENT")
    assert "\nDELEGERINGSREGLEMENT FOR FJELLVIK KOMMUNE\n" in text  # "1 ... 1" page numbers gone
    assert "\n3 Kap." not in text and "Kap. 1 Formål" in text
    assert "INNHOLD" not in text and "VIDEREDELEGERING... 6" not in text  # the table of contents
    assert PROSE in text


def test_similar_documents_list_in_its_variants() -> None:
    page = (
        "Lederplattform for Fjellvik kommune\n\nLignende dokumenter\n"
        "Årsbudsjett 2019 for Nabobygd kommune\n\nReferat fra møte i formannskapet\n\n"
        "Lønnspolitisk plan\n\nFulltekst:\n\n" + PROSE + "\n"
    )
    text = clean_text(page)
    assert "Lignende" not in text and "Årsbudsjett 2019" not in text and "Lønnspolitisk" not in text
    assert text.startswith("Lederplattform for Fjellvik kommune")
    assert PROSE in text


def test_web_page_chrome_icons_and_breadcrumbs() -> None:
    page = (
        "account_circle Min side search Søk\nTekststørrelse: A A A\n\nEngelsk flagg Samisk flagg\n\n"
        "Startsiden > Politikk > Reglement\n\nDelegering i Fjellvik\n\n" + PROSE + "\n"
    )
    text = clean_text(page, names=("Delegering", "Fjellvik kommune"))
    assert "account_circle" not in text and "Tekststørrelse" not in text and "flagg" not in text
    assert "Startsiden" not in text
    assert text.startswith("Delegering i Fjellvik\n\n" + PROSE)


def test_a_breadcrumb_that_lost_its_separators_goes() -> None:
    page = "account_circle Min side\nHjemDelegering i Fjellvik\n\nDelegering i Fjellvik\n\n" + PROSE + "\n"
    text = clean_text(page, names=("Delegering i Fjellvik", "Fjellvik kommune"))
    assert "Hjem" not in text and "Min side" not in text
    assert text.startswith("Delegering i Fjellvik\n\n" + PROSE)


def test_skip_links_and_a_breadcrumb_written_as_a_list_go_and_a_real_numbered_list_stays() -> None:
    page = (
        "Hopp til hovedmeny Hopp til innhold Hopp til søk Hopp til kontaktinformasjon\n"
        "Skip to main content\n\n"
        "  1. Hjem\n  2. Politikk\n  3. Reglement\n\n"
        "Fullmakter i Fjellvik\n\n"
        "Fullmaktene viser hva kommunestyret har delegert til kommunedirektøren og hvordan de brukes.\n\n"
        "1. Hjemmetjenesten ledes av en enhetsleder.\n2. Politikk og fag holdes adskilt.\n"
        "Gå til søknadsskjemaet for permisjon her.\n"
    )
    cleaned = clean_text(page, names=("Fullmakter i Fjellvik", "Fjellvik kommune"))
    assert "Hopp til" not in cleaned and "Skip to" not in cleaned
    assert "Hjem\n" not in cleaned and "Reglement" not in cleaned
    assert cleaned.startswith("Fullmakter i Fjellvik\n")
    assert "1. Hjemmetjenesten ledes av en enhetsleder.\n2. Politikk og fag holdes adskilt." in cleaned
    assert "Gå til søknadsskjemaet for permisjon her." in cleaned
    # Sentences that start like a skip link, and lists that a lead-in introduces, are content.
    steps = "Gå til søk i arkivet for å finne saken.\nSlik søker du:\n1. Forside\n2. Velg skjema\n3. Send inn\n"
    services = "Kommunen tilbyr disse tjenestene:\n- Hjem\n- Hjemmetjenester\n- Sykehjem\n"
    assert clean_text(steps + "\n" + services) == steps + "\n" + services


def test_a_transcript_pages_number_of_pages_at_its_end_goes() -> None:
    page = (
        "Delegeringsreglement\n\nTranskript\n\n"
        f"1 Fjellvik kommune DELEGERINGSREGLEMENT mellom RÅDMANNEN OG ENHETSLEDER 1 av 14\n\n2 {PROSE}\n\n3 {PROSE}\n"
    )
    text = clean_text(page)
    assert "Fjellvik kommune DELEGERINGSREGLEMENT mellom RÅDMANNEN OG ENHETSLEDER\n" in text
    assert "av 14" not in text


def test_header_line_with_the_documents_name_or_date_is_kept() -> None:
    page = "Hjem Kontakt Meny\n\nFjellvik kommune\n\nRevidert 01.02.2021\n\nArbeidsgiverpolitikk\n\n" + PROSE + "\n"
    text = clean_text(page, names=("Arbeidsgiverpolitikk", "Fjellvik kommune"))
    assert "Hjem Kontakt Meny" not in text
    assert "Fjellvik kommune" in text.split("\n\n")[0]
    assert "Arbeidsgiverpolitikk" in text
    assert PROSE in text


def test_page_numbers_and_running_headers_of_a_pdf() -> None:
    pages = [
        f"Lederplattform Fjellvik kommune\n{PROSE}\nSide {n} av 3"
        if n > 1
        else f"Lederplattform Fjellvik kommune\n{PROSE}\n- 1 -"
        for n in (1, 2, 3)
    ]
    text = clean_text("\n\f\n".join(pages))
    assert text.count("Lederplattform Fjellvik kommune") == 1  # the first one stays: it names the document
    assert "Side 2 av 3" not in text and "- 1 -" not in text
    assert text.count(PROSE) == 3


def test_repeated_lead_in_of_a_web_page_is_not_a_running_header() -> None:
    page = "\n\n".join(f"Arbeidsgiver forventer:\n\n- punkt {n} om samarbeid og ansvar" for n in range(4))
    assert clean_text(PROSE + "\n\n" + page).count("Arbeidsgiver forventer:") == 4


def test_figure_debris_is_dropped_and_a_short_list_kept() -> None:
    scan = (
        f"{PROSE}\n\nSammenhengen vises i denne modellen:\n\nPolitikere\nAnsatte Brukere\nAndre @\n\n"
        "offentlige\netater\n\n|| Plan | Gjennomføring =\n\nL4 14 © ¢ & ©\n\n"
        f"{PROSE}\n\nVerdiene våre er:\n\nÅpenhet\nRespekt\nMot\nHelhet\nTillit\n\n{PROSE}\n"
    )
    text = drop_figure_debris(scan)
    for debris in ("Andre @", "offentlige", "|| Plan", "L4 14"):
        assert debris not in text
    assert "Sammenhengen vises i denne modellen:" in text
    assert "Åpenhet\nRespekt\nMot\nHelhet\nTillit" in text


def test_short_list_of_values_survives_ingestion(tmp_path: Path) -> None:
    (tmp_path / "verdier.txt").write_text(
        f"Arbeidsgiverpolitikk\n\n{PROSE}\n\nDet daglige arbeidet skal preges av:\n\n"
        " • Respekt og åpenhet\n • Ansvar\n • Utvikling\n • Service og samarbeid\n • Etikk\n\n"
        f"Innflytelse\n\n{PROSE}\n",
        encoding="utf-8",
    )
    corpus = Ingestor(default_owner="Fjellvik kommune").ingest_folder(tmp_path)
    text = "\n".join(p.text for p in corpus.passages)
    assert "- Respekt og åpenhet\n- Ansvar\n- Utvikling\n- Service og samarbeid\n- Etikk" in text


def test_run_of_short_value_lines_is_not_headings() -> None:
    text = f"{PROSE}\n\nVERDIER\n\nLOJALITET\n\nRESPEKT\n\nTILLIT\n\n- Vi er lojale mot vedtak som er fattet\n"
    found = sections(plain_blocks(text))
    body = "\n".join(p for s in found for p in s.paragraphs)
    assert "LOJALITET" in body and "RESPEKT" in body


def test_nynorsk_sentence_subjects_are_not_headings() -> None:
    text = (
        "Delegering\n\n"
        "Kommunestyret har eit overordna ansvar for all verksemd i kommunen. Kommunedirektøren "
        "omfattar i dette reglementet også dei som har fått mynde vidare. Tekniske tenester har eigne "
        "reglar for byggesaker, og desse er vedteke av kommunestyret. " * 6
    )
    found = sections(plain_blocks(text), split_long_paragraphs_at=1200)
    headings = {h for s in found for h in s.heading_path}
    assert headings <= {"Delegering"}
    assert all(not p.startswith(("har eit", "omfattar")) for s in found for p in s.paragraphs)


def test_a_line_over_a_paragraph_in_lower_case_is_its_subject_not_a_heading() -> None:
    # A web page set each unit's name on a line of its own, and its sentence on the next.
    text = (
        "Fjellvik kommune har om lag 200 tilsette, fordelte på fem einingar.\n\n"
        "Tekniske tenester\n\n"
        "omfattar kommunale bygg, vassforsyning, brannvern og vedlikehald av vegar.\n\n"
        "Oppvekst og kultur\n\n"
        "har ansvar for barnehagar, skular og bibliotek. Einingsleiarane rapporterer til kommunedirektøren.\n\n"
        "Delegering\n\n"
        "Kommunedirektøren har delegert fullmakter til einingsleiarane innan økonomi og tilsetjing."
    )
    found = sections(plain_blocks(text))
    body = [p for s in found for p in s.paragraphs]
    assert "Tekniske tenester omfattar kommunale bygg, vassforsyning, brannvern og vedlikehald av vegar." in body
    assert any(p.startswith("Oppvekst og kultur har ansvar for barnehagar") for p in body)
    assert all(not p.startswith(("har ", "omfattar")) for p in body)
    assert {h for s in found for h in s.heading_path} <= {"Delegering"}  # a title over a sentence stays one


def test_tables_of_contents_by_any_name_or_flattened_onto_one_line() -> None:
    page = (
        "Delegeringsreglement for Fjellvik kommune\n\n"
        "Innholdsoversikt 1. OM DELEGERING FORMÅL LEDERSTRUKTUREN I FJELLVIK KOMMUNE FORHOLDET TIL ANDRE "
        "REGLEMENT ARBEIDSGIVERROLLEN\n\n"
        "1 Innledning 1.1 Bakgrunn 1.2 Mål for ledelse 2 Lederrollen 2.1 Forventninger 3 Delegering\n\n"
        f"1. Om delegering 1.1 Formål {PROSE}\n\n"
        "Innholdet i reglementet er vedtatt av kommunestyret, og det gjelder for alle ledere.\n\n"
        "Nivåer\n\n1. Område\n2. Enhet\n3. Avdeling\n4. Seksjon\n"
    )
    text = clean_text(page)
    assert "Innholdsoversikt" not in text and "ARBEIDSGIVERROLLEN" not in text
    assert "1.1 Bakgrunn" not in text  # the flattened one: numbered titles and no sentence
    assert f"1. Om delegering 1.1 Formål {PROSE}" in text  # a section's numbered title before its text
    assert "Innholdet i reglementet er vedtatt" in text  # prose that starts with the word
    assert "1. Område\n2. Enhet\n3. Avdeling\n4. Seksjon" in text  # a numbered list: one item a line


def test_a_breadcrumb_parted_by_slashes_goes_even_though_it_holds_the_owners_name() -> None:
    page = (
        "A A A\nKontrastverktøy Kontrastverktøy\nFjellvik/Administrasjon/Overordna leiing\n\n"
        "Overordna leiing\n\n" + PROSE + "\n"
    )
    text = clean_text(page, names=("Overordna leiing", "Fjellvik kommune"))
    assert "Fjellvik/Administrasjon" not in text and "Kontrastverktøy" not in text
    assert text.startswith("Overordna leiing\n\n" + PROSE)
    # A line of the page head with a slash that is no trail stays when it is the document's own.
    text = clean_text(
        "Fjellvik kommune: helse/omsorg\n\nOverordna leiing\n\n" + PROSE + "\n", names=("Fjellvik kommune",)
    )
    assert text.startswith("Fjellvik kommune: helse/omsorg")


def test_the_owners_name_that_ended_a_sentence_is_not_a_heading() -> None:
    # A transcript lost the full stop after "Fjellvik kommune": the name ends the sentence, it is not
    # the title of what follows; a topic word at a sentence start still is one.
    text = (
        "Innledning: De etiske retningslinjene gjelder for alle ansatte i Fjellvik kommune Etisk kvalitet "
        "på tjenestene er en forutsetning for at innbyggerne skal ha tillit til kommunen. " + PROSE * 4 + " "
        "Arbeidsgiverrollen Ledere er arbeidsgivere og har ansvar for arbeidsmiljøet i sin enhet. " + PROSE * 4
    )
    owner = OwnerNames(["Fjellvik kommune"])
    found = sections(plain_blocks(text), split_long_paragraphs_at=1200, owner=owner)
    headings = [h for s in found for h in s.heading_path]
    assert "Fjellvik kommune" not in headings and "Arbeidsgiverrollen" in headings
    assert "alle ansatte i Fjellvik kommune Etisk kvalitet på tjenestene" in found[0].paragraphs[0]
    # Straight after a topic, the name ends the title it continues.
    titled = sections(
        plain_blocks(
            "Lederplattform for Fjellvik kommune Lederplattformen skal vise hva vi venter av ledere. " + PROSE * 8
        ),
        split_long_paragraphs_at=1200,
        owner=owner,
    )
    assert titled[0].heading_path == ("Lederplattform for Fjellvik kommune",)
    assert titled[0].paragraphs[0].startswith("Lederplattformen skal vise")


def test_site_help_above_the_pages_title_is_chrome() -> None:
    page = (
        "PC: Hold Ctrl-tasten nede og trykk på + for å forstørre teksten på skjermen.\n\n"
        "Lesehjelpen har to moduser:\n\nPek og lytt\n\n"
        "Når ikonet er markert, leser nettstedet opp teksten du peker på, samtidig som du ser den.\n\n"
        "Delegeringsreglement\n\n"
        "Delegeringsreglementet viser hvilke fullmakter som er delegert fra politikerne til administrasjonen."
    )
    text = clean_text(page, names=("Delegeringsreglement", "Fjellvik kommune"))
    assert text.startswith("Delegeringsreglement\n") and "Lesehjelpen" not in text
    # Prose above the title that is about the document (it names the owner) is the document's.
    own = page.replace("teksten du peker på", "reglene Fjellvik kommune har vedtatt")
    assert "reglene Fjellvik kommune har vedtatt" in clean_text(own, names=("Delegeringsreglement", "Fjellvik kommune"))


def test_a_postal_address_below_the_text_is_the_sites_footer() -> None:
    page = (
        "Delegering\n\nKommunestyret delegerer myndighet til formannskapet og til kommunedirektøren i alle saker.\n\n"
        "Kontakt: Kari Nordmann\nTlf. 12 34 56 78\n\n.\n\n"
        "Fjellvik kommune\nPostboks 304\n5402 Fjellvik\nBesøksadresse:\nStorgata 1"
    )
    text = clean_text(page, names=("Delegering", "Fjellvik kommune"))
    assert "Postboks" not in text and "5402" not in text and "Storgata" not in text
    assert text.rstrip().endswith("Tlf. 12 34 56 78\n\nFjellvik kommune")  # the owner's name stays
    # A list at the end of the text is no footer.
    values = "Verdier\n\nArbeidet skal preges av disse verdiene i hele kommunen:\n\nRespekt\nAnsvar\nUtvikling"
    assert clean_text(values, names=("Verdier", "Fjellvik kommune")).rstrip().endswith("Respekt\nAnsvar\nUtvikling")
