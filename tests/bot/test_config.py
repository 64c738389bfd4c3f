"""One settings object from YAML and LEDERBOT_* variables; secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from index.errors import ConfigError

pytestmark = pytest.mark.unit


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDERBOT_CONFIG", raising=False)
    settings = Settings.load()
    assert settings.data_dir == Path("data")
    assert settings.index_dir == Path("data/index")
    assert settings.db_url == "sqlite:///data/lederbot.db"
    assert settings.embedding.backend == "bundled"


def test_file_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "lederbot.yaml"
    config.write_text(
        "organisation:\n  home: Levanger kommune\nsearch:\n  top_k: 3\ndata_dir: /srv/a\n", encoding="utf-8"
    )
    monkeypatch.setenv("LEDERBOT_CONFIG", str(config))
    monkeypatch.setenv("LEDERBOT_DATA_DIR", "/srv/b")
    monkeypatch.setenv("LEDERBOT_DATABASE_URL", "postgresql+psycopg://127.0.0.1/test")
    settings = Settings.load()
    assert settings.organisation.home == "Levanger kommune"
    assert settings.search.top_k == 3
    assert settings.data_dir == Path("/srv/b")
    assert settings.db_url.startswith("postgresql")


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("pseudonym_key: hemmelig\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="miljøet"):
        Settings.load(config)


def test_bad_values_are_explained(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("search:\n  top_k: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top_k"):
        Settings.load(config)
    config.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mappe"):
        Settings.load(config)
    with pytest.raises(ConfigError, match="Fant ikke"):
        Settings.load(tmp_path / "missing.yaml")
