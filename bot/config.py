"""One settings object, read from a YAML file and ``LEDERBOT_*`` environment variables.

Built once in the entry point (``Settings.load``) and passed down; core code never reads
``os.environ`` itself. Secrets come only from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, YamlConfigSettingsSource

from index.errors import ConfigError

DEFAULT_CONFIG_FILE = "lederbot.yaml"


class EmbeddingSettings(BaseModel):
    """Which embedding backend builds and searches the index."""

    backend: Literal["bundled", "sentence-transformers"] = "bundled"
    # For sentence-transformers: a model name already in the local cache, or a local path.
    model: str | None = None
    batch_size: int = Field(default=32, ge=1, le=1024)


class IndexSettings(BaseModel):
    """Where the index lives and how it is built."""

    knowledge_dir: Path = Path("knowledge")
    # None: <data_dir>/index
    path: Path | None = None
    max_passage_chars: int = Field(default=1200, ge=200, le=4000)
    # Above this many passages the dense index is HNSW instead of exact inner product.
    hnsw_threshold: int = Field(default=50_000, ge=1)
    hnsw_m: int = Field(default=32, ge=4, le=128)
    hnsw_ef_search: int = Field(default=128, ge=8)


class SearchSettings(BaseModel):
    """Retrieval. The fusion weights and the confidence model are fit by cross-validation and kept as
    data (bot/fitted.json, written by bench/fit_confidence.py), not set here."""

    top_k: int = Field(default=5, ge=1, le=50)
    candidates: int = Field(default=40, ge=5, le=500)
    max_query_chars: int = Field(default=2000, ge=50)


class OrganisationSettings(BaseModel):
    """Who the bot serves."""

    home: str = "Heim kommune"
    hr_contact: str = "HR-avdelingen (hr@heim.kommune.no)"


class PrivacySettings(BaseModel):
    """How long personal traces are kept."""

    # Text of questions the bot could not answer, for the document owners (without identity).
    question_text_days: int = Field(default=90, ge=0, le=3650)
    # Reflection answers; afterwards only the participation counts remain.
    reflection_answer_months: int = Field(default=24, ge=1, le=120)


class AnalyticsSettings(BaseModel):
    """HR figures: groups smaller than this show nothing (never below 3)."""

    min_group_size: int = Field(default=5, ge=3)


class ReflectionSettings(BaseModel):
    folder: Path = Path("knowledge/reflections")
    # How often due plans, reminders and group deadlines are looked for.
    tick_seconds: float = Field(default=30.0, gt=0)


class SlackSettings(BaseModel):
    """Non-secret Slack settings; tokens come only from the environment."""

    hr_contact_user: str | None = None  # Slack user id "Spør HR" writes to privately (a DM), e.g. U0123HR
    hr_channel: str | None = None  # or a private HR channel id (the bot must be a member), e.g. G0123HR
    hr_user_ids: list[str] = Field(default_factory=list)  # who sees the HR section on App Home
    port: int = Field(default=3000, ge=1, le=65535)


class TeamsSettings(BaseModel):
    """Non-secret Teams settings; credentials come only from the environment (MICROSOFT_APP_*)."""

    hr_user_ids: list[str] = Field(default_factory=list)  # Azure AD object ids of HR users
    # App ids allowed to call /api/messages with an Entra token (appid/azp), besides the bot's own.
    callers: list[str] = Field(default_factory=list)


class InboxSettings(BaseModel):
    """The durable inbox and the worker pools (see bot/inbox.py)."""

    # A replica that stops renewing its lease this long is taken as dead; its events move on.
    lease_seconds: float = Field(default=30.0, gt=0, le=3600)
    # How often leases are renewed and dead replicas' events looked for.
    sweep_seconds: float = Field(default=1.0, gt=0, le=60)
    search_threads: int = Field(default=2, ge=1, le=64)
    store_threads: int = Field(default=4, ge=1, le=64)

    @model_validator(mode="after")
    def _lease_spans_sweeps(self) -> InboxSettings:
        # A live replica renews once a sweep; a lease shorter than a few sweeps would let another
        # replica take over (and answer again) events that are still being handled.
        if self.lease_seconds < 3 * self.sweep_seconds:
            raise ValueError(
                f"inbox.lease_seconds ({self.lease_seconds}) must be at least "
                f"3 × inbox.sweep_seconds ({self.sweep_seconds})"
            )
        return self


class Settings(BaseSettings):
    """All of lederbot's settings.

    Example:
        >>> settings = Settings.load(None)
        >>> settings.index_dir.name
        'index'
    """

    model_config = SettingsConfigDict(
        env_prefix="LEDERBOT_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Path("data")
    database_url: str | None = None
    log_level: str = "INFO"
    # "json" for one JSON object per log line (for a log collector); "text" for people.
    log_format: Literal["text", "json"] = "text"
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    search: SearchSettings = SearchSettings()
    organisation: OrganisationSettings = OrganisationSettings()
    privacy: PrivacySettings = PrivacySettings()
    analytics: AnalyticsSettings = AnalyticsSettings()
    slack: SlackSettings = SlackSettings()
    reflection: ReflectionSettings = ReflectionSettings()
    teams: TeamsSettings = TeamsSettings()
    inbox: InboxSettings = InboxSettings()
    # Secrets: only from the environment (LEDERBOT_PSEUDONYM_KEY); a file that sets one is refused.
    pseudonym_key: SecretStr | None = None
    # After a rotation: the earlier keys, comma-separated, so older rows stay reachable and get moved.
    pseudonym_previous_keys: SecretStr | None = None

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"log_level must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
        return upper

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file; the file's values arrive as init arguments.
        return env_settings, init_settings

    @property
    def index_dir(self) -> Path:
        return self.index.path if self.index.path is not None else self.data_dir / "index"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'lederbot.db').as_posix()}"

    @classmethod
    def load(cls, path: str | Path | None = None) -> Settings:
        """Read the YAML file (explicit path, ``LEDERBOT_CONFIG`` or ``./lederbot.yaml``) and the environment.

        Raises:
            ConfigError: the file is missing, not YAML, or holds a bad value or a secret.
        """
        # The entry point is the one place that reads the process environment.
        chosen = path or os.environ.get("LEDERBOT_CONFIG") or None
        if chosen is None and Path(DEFAULT_CONFIG_FILE).is_file():
            chosen = DEFAULT_CONFIG_FILE
        values: dict[str, Any] = {}
        if chosen is not None:
            file = Path(chosen)
            if not file.is_file():
                raise ConfigError(f"Fant ikke konfigurasjonsfilen {file}.")
            try:
                values = YamlConfigSettingsSource(cls, yaml_file=file, yaml_file_encoding="utf-8")()
            except yaml.YAMLError as exc:
                raise ConfigError(f"Konfigurasjonsfilen {file} er ikke gyldig YAML: {exc}") from exc
            except (TypeError, ValueError) as exc:  # pydantic-settings' reading of a list or a scalar
                raise ConfigError(f"Konfigurasjonsfilen {file} må være en YAML-mappe på toppnivå.") from exc
            if "pseudonym_key" in values or "pseudonym_previous_keys" in values:
                raise ConfigError("Hemmeligheter (pseudonym_key) skal bare settes i miljøet, ikke i filen.")
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError(f"Ugyldig konfigurasjon: {exc}") from exc
