"""The project's exceptions: one root, a few named kinds a user can act on."""


class LederbotError(Exception):
    """Root of every error lederbot raises on purpose."""


class ConfigError(LederbotError):
    """The configuration file or environment is invalid."""


class IndexMissingError(LederbotError):
    """No index has been built yet in the configured folder."""


class IndexMismatchError(LederbotError):
    """The index on disk was built differently from what the configuration asks for."""


class IndexCorruptError(LederbotError):
    """The index folder is damaged or incomplete."""


class NotLoadedError(LederbotError):
    """A service was used before its ``load()``/``warm_up()``."""
