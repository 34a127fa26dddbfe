"""The fault bench's own services: a throw-away PostgreSQL, Redis and gunicorn on loopback.

Each class starts its service in a new process group and stops it (and everything it
spawned) in ``stop``, which is safe to call twice and on a service that never started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import psutil

from bench.common import ROOT

PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def spare_port(preferred: int) -> int:
    """``preferred`` when nothing listens there, else one the kernel picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no spare port on loopback")


def wait_until(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s")


def kill_group(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, grace: float = 5) -> None:
    """Signal a process group started with ``start_new_session``; SIGKILL what lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    """A cluster of its own in ``workdir`` (initdb, trust auth, loopback only)."""

    workdir: Path
    port: int
    started: bool = False

    @property
    def datadir(self) -> Path:
        return self.workdir / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/faults"

    def _ctl(self, *args: str) -> None:
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "30", *args]
        subprocess.run(_as_postgres(cmd), check=True, stdout=subprocess.DEVNULL)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        initdb = [str(PG_BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres"]
        initdb += ["--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        subprocess.run(_as_postgres(initdb), check=True, stdout=subprocess.DEVNULL)
        self.start()
        createdb = [str(PG_BIN / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres"]
        subprocess.run(_as_postgres([*createdb, "faults"]), check=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses={HOST} -c fsync=off"
        log = str(self.workdir / "postgres.log")
        self._ctl("-l", log, "-o", options, "start")
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        if not self.started:
            return
        try:
            self._ctl("-m", mode, "stop")
        except subprocess.CalledProcessError:
            # pg_ctl could not do it (its directory in trouble?): the postmaster's pid
            # is the first line of postmaster.pid; SIGQUIT is an immediate shutdown.
            pid = (self.datadir / "postmaster.pid").read_text().split()[0]
            os.kill(int(pid), signal.SIGQUIT)
        self.started = False


@dataclass
class Redis:
    """``redis-server`` on loopback with persistence off."""

    workdir: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        cmd = ["redis-server", "--bind", HOST, "--port", str(self.port)]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, start_new_session=True)
        wait_until(self._answers, 10, "redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        kill_group(self.proc)
        self.proc = None


@dataclass
class Gunicorn:
    """The app under gunicorn (``gunicorn.conf.py`` when the repository has one)."""

    env: dict[str, str]
    port: int
    log: Path
    workers: int = 4
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(Path(sys.executable).with_name("gunicorn"))]
        if GUNICORN_CONF.exists():
            cmd += ["-c", str(GUNICORN_CONF)]
        # Flags win over the configuration file: loopback and exactly this many workers.
        return [*cmd, "-w", str(self.workers), "-b", f"{HOST}:{self.port}", "wsgi:app"]

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        try:
            wait_until(self._healthy, 60, "gunicorn")
            wait_until(lambda: len(self.worker_pids()) == self.workers, 30, "gunicorn workers")
        except RuntimeError as exc:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}; its log ends:\n{tail}") from exc

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.proc.pid).children()]
        except psutil.Error:
            return []

    def stop(self) -> None:
        kill_group(self.proc, grace=10)
        self.proc = None


@dataclass
class Flask:
    """``flask --app wsgi`` against the bench's database and Redis."""

    env: dict[str, str]

    def __call__(self, *args: str) -> None:
        flask = str(Path(sys.executable).with_name("flask"))
        done = subprocess.run(
            [flask, "--app", "wsgi", *args],
            check=False,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")


def write_token(base: str, email: str, password: str) -> str:
    """A write-scoped personal token, made the way a user makes one: log in, then ask.

    Production cookies are ``Secure``, which a cookie jar will not send over plain HTTP,
    so the session cookie is passed back by hand.
    """
    login = _post_json(f"{base}/api/v1/auth/login", {"email": email, "password": password})
    with login as answer:
        csrf = json.load(answer)["csrf_token"]
        cookies = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())
    body = {"name": "fault bench", "scopes": ["read", "write"], "expires_in_days": 1}
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    with _post_json(f"{base}/api/v1/auth/tokens", body, headers) as answer:
        return json.load(answer)["token"]


def _post_json(url: str, body: dict, headers: dict[str, str] | None = None):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    return urllib.request.urlopen(request, timeout=30)
