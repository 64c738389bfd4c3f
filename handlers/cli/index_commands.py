"""``lederbot index …`` and ``lederbot reflections extract``: build and inspect what is searched."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from handlers.cli.common import ConfigOption, fail, index_app, reflections_app, settings_from
from index.errors import LederbotError


@index_app.command("build")
def index_build(config: ConfigOption = None) -> None:
    """Les dokumentene i kunnskapsmappen og bygg indeksen (bare endrede passasjer embeddes på nytt)."""
    from handlers.launch import build_index

    try:
        build_index(settings_from(config), say=typer.echo)
    except LederbotError as exc:
        raise fail(exc) from exc


@index_app.command("text")
def index_text(
    document_id: Annotated[str, typer.Argument(help="Dokumentets id (som i sources.yaml).")],
    config: ConfigOption = None,
) -> None:
    """Skriv ut den rensede, reparerte teksten slik oppdeleren får den (overskrifter og linjeskift beholdt)."""
    from index import ingest

    try:
        settings = settings_from(config)
        folder = settings.index.knowledge_dir
        sources = ingest.load_sources(folder)
        # A wrong id is told before the dictionaries load (that takes seconds).
        known = sorted(ingest.document_id(path, sources.get(path.name)) for path in ingest.document_files(folder))
        if document_id not in known:
            raise LederbotError(f"Fant ikke dokumentet {document_id!r}. Kjente id-er: {', '.join(known)}")
        ingestor = ingest.Ingestor(
            max_passage_chars=settings.index.max_passage_chars, default_owner=settings.organisation.home
        )
        documents = {doc.meta.id: doc for doc in ingestor.prepare_folder(folder)}
    except LederbotError as exc:
        raise fail(exc) from exc
    sys.stdout.write(documents[document_id].text)


@index_app.command("status")
def index_status(config: ConfigOption = None) -> None:
    """Vis hva indeksen inneholder, og om dokumentene har endret seg siden den ble bygget."""
    from index.ingest import changes_since
    from index.manifest import read_manifest

    try:
        settings = settings_from(config)
        manifest = read_manifest(settings.index_dir)
    except LederbotError as exc:
        raise fail(exc) from exc
    typer.echo(f"Indeks: {settings.index_dir}")
    typer.echo(f"Bygget: {manifest.get('built_at')}  modell: {manifest.get('backend')} / {manifest.get('model')}")
    typer.echo(
        f"Dimensjon: {manifest.get('dimension')}  passasjer: {manifest.get('passages')}  "
        f"tett indeks: {manifest.get('dense')}"
    )
    built = {doc["file"]: doc for doc in manifest.get("documents", {}).values()}
    shown = {"removed": "fjernet fra kunnskapsmappen", "new": "ny, ikke indeksert", "changed": "endret siden bygging"}
    states = changes_since(manifest, settings.index.knowledge_dir)
    for name, state in states.items():
        typer.echo(f"  {name}: {shown.get(state) or str(built[name]['passages']) + ' passasjer'}")
    stale = any(state != "built" for state in states.values())
    if stale:
        typer.echo("Indeksen er utdatert. Kjør «lederbot index build».")


@reflections_app.command("extract")
def reflections_extract(config: ConfigOption = None) -> None:
    """Hent TIL REFLEKSJON-spørsmålene ut av «Guide til god ledelse» til knowledge/reflections/."""
    from bot.reflection.catalog import write
    from bot.reflection.extract import extract_themes

    settings = settings_from(config)
    guide = settings.index.knowledge_dir / "ks-guide-til-god-ledelse.md"
    if not guide.is_file():
        raise fail(LederbotError(f"Fant ikke veilederen {guide}."))
    themes = extract_themes(guide.read_text(encoding="utf-8"))
    path = write(themes, settings.reflection.folder, source=guide.name)
    typer.echo(f"{len(themes)} temaer ({sum(len(t.questions) for t in themes)} spørsmål) skrevet til {path}.")
