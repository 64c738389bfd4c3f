"""The Teams app package: manifest.json and the two icons Teams requires, zipped for upload."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

MANIFEST_VERSION = "1.17"
COLOR = (29, 79, 115)  # the blue of the Slack app


def _png(size: int, rgba: tuple[int, int, int, int], *, ring: bool = False) -> bytes:
    """A square PNG: filled (colour icon) or a white ring on transparency (outline icon)."""
    rows = []
    centre, outer, inner = (size - 1) / 2, size * 0.45, size * 0.30
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            if ring:
                row += bytes(rgba if inner <= distance <= outer else (0, 0, 0, 0))
            else:
                row += bytes((255, 255, 255, 255) if inner <= distance <= outer else rgba)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


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
        archive.writestr("color.png", _png(192, (*COLOR, 255)))
        archive.writestr("outline.png", _png(32, (255, 255, 255, 255), ring=True))
    return output
