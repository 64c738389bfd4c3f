"""A PostgreSQL server the test starts itself: initdb on a temporary folder, a free port, pg_ctl.

Tests that stop and start a database (outages, restarts) use this, never the machine's server.
The binaries come from ``LEDERBOT_TEST_PG_BINDIR``, ``pg_config --bindir``, the newest
/usr/lib/postgresql/<version>/bin, or the PATH. PostgreSQL refuses to run as root, so as root the
server runs as the ``postgres`` system user (or ``nobody``) through ``runuser``, on a folder in /tmp
that user owns (pytest's own temporary folders are closed to other users when run as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import create_engine, text

from loopback.ports import free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or no way to run them here."""


def _bindir() -> Path:
    explicit = os.environ.get("LEDERBOT_TEST_PG_BINDIR")
    candidates: list[Path] = [Path(explicit)] if explicit else []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if found:
            candidates.append(Path(found))
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted((p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates.extend(v / "bin" for v in versions)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresUnavailable("no initdb/pg_ctl found (set LEDERBOT_TEST_PG_BINDIR)")


def _unprivileged_user() -> pwd.struct_passwd:
    """The packaged ``postgres`` user, else ``nobody``: any account that is not root will do."""
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root without runuser: cannot start PostgreSQL as another user")
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root, and there is neither a 'postgres' nor a 'nobody' user")


class PostgresServer:
    """One throwaway cluster: ``start()``, ``stop()`` (an outage), ``start()`` again, ``destroy()``.

    Example:
        >>> with postgres_server() as server:
        ...     url = server.create_database()
        ...     server.stop(); server.start()
    """

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        # Not under pytest's tmp_path: as root that folder is 0700 and the postgres user cannot enter it.
        self.folder = Path(tempfile.mkdtemp(prefix="lederbot-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._user = ""
        if self._as_root:
            user = _unprivileged_user()
            self._user = user.pw_name
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / program), *args]
        if self._as_root:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{program} failed ({done.returncode}): {done.stderr.strip()[-500:]}")

    def start(self) -> None:
        # fsync off is safe here: an immediate stop kills the server, not the machine. Commits stay
        # synchronous, or an immediate stop would lose the last ones (an outage that loses data).
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c full_page_writes=off -c max_connections=60 -c shared_buffers=16MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, *, mode: str = "immediate") -> None:
        """Stop the server at once (``immediate`` is a crash as far as clients can tell)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, prefix: str = "lederbot") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'create database "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        if self.running():
            with suppress(PostgresUnavailable):
                self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.destroy()
