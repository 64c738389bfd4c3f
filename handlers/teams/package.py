"""The Teams app package: manifest.json and the two icons Teams requires, zipped for upload."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

MANIFEST_VERSION = "1.17"
# Teams requires a 192×192 colour icon and a 32×32 white outline on transparency (checked in).
ICONS = Path(__file__).with_name("icons")


def manifest(*, app_id: str, version: str, developer: str, website: str) -> dict[str, object]:
    return {
        "$schema": f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer,
            "websiteUrl": website,
            "privacyUrl": f"{website}/personvern",
            "termsOfUseUrl": f"{website}/vilkar",
        },
        "name": {"short": "lederbot", "full": "lederbot – assistent for ledere"},
        "description": {
            "short": "Svar om lederplattform, lojalitet og delegering – med kilde.",
            "full": "lederbot svarer på spørsmål om kommunens lederplattform, lojalitet og delegering med "
            "setningene og kilden fra dokumentene, og leder refleksjon med spørsmålene fra KS' "
            "«Guide til god ledelse», alene eller i ledergruppen.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#1D4F73",
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team"],
                        "commands": [
                            {
                                "title": "refleksjon",
                                "description": "Start en refleksjon med spørsmålene fra KS' veileder",
                            },
                            {"title": "mine svar", "description": "Se refleksjonssvarene dine"},
                            {
                                "title": "refleksjon gruppe",
                                "description": "Gruppe-refleksjon i kanalen: refleksjon gruppe <tema>",
                            },
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def build_package(
    output: Path,
    *,
    app_id: str,
    version: str = "1.0.0",
    developer: str = "Heim kommune",
    website: str = "https://www.heim.kommune.no",
) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "manifest.json",
            json.dumps(
                manifest(app_id=app_id, version=version, developer=developer, website=website),
                ensure_ascii=False,
                indent=2,
            ),
        )
        for icon in ("color.png", "outline.png"):
            archive.write(ICONS / icon, icon)
    return output
