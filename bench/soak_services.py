"""Private PostgreSQL and Redis servers the soak may kill and restart (never the machine's own)."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bot.standin.processes import free_port


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if found is None:
        raise SystemExit(f"soak: PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throw-away cluster on a free port, in a directory of its own."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pgdata"
        self.socket_dir = workdir / "pgsocket"
        self.port = free_port()
        self.log = workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/soak"

    def _ctl(self, *args: str) -> None:
        command = [_postgres_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-t", "60", *args]
        subprocess.run(_as_owner(command), check=True, capture_output=True)

    def init(self) -> None:
        for path in (self.dir, self.socket_dir):
            path.mkdir(parents=True)
        for path in (self.dir.parent, self.dir, self.socket_dir):
            if os.geteuid() == 0:
                shutil.chown(path, "postgres")
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres")
        initdb = [_postgres_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        subprocess.run(_as_owner(initdb), check=True, capture_output=True)
        self.start()
        createdb = [
            _postgres_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "soak",
        ]
        subprocess.run(createdb, check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown, as a failover or `systemctl restart postgresql` does: sessions are cut."""
        self._ctl("-m", "fast", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.dir),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise SystemExit("soak: the private redis-server did not start")

    def kill(self) -> None:
        """kill -9: its data is gone, as when Redis is lost."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def destroy(self) -> None:
        self.kill()
