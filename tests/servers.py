"""Real servers for the fault tests: gunicorn in its own process group (so kill -9 takes the master
and every worker at once), a private PostgreSQL cluster that a test may restart, and an HTTP
client with cookies that does not follow redirects (a 302 is what confirms a vote)."""
from __future__ import annotations

import glob
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from helpers import need
from pb_helpers import CSRF_RE

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """Engage under gunicorn on loopback, started and killed by the test."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Gunicorn:
        log = Path(self.env["ENGAGE_INSTANCE_PATH"]) / "gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "--threads", "2", "-b",
                 f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5):
                    return self
            except OSError:  # refused or reset while the workers boot (a 503 is an HTTPError, also OSError)
                if self.proc.poll() is not None:
                    raise RuntimeError("gunicorn died:\n" + log.read_text(errors="replace")[-3000:])
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def kill9(self) -> None:
        """SIGKILL to the whole process group: no graceful shutdown, no atexit, no flush."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, ENGAGE_SECRET_KEY="fault-test-secret-key-" + "x" * 24,
               ENGAGE_INSTANCE_PATH=str(instance), PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


class Browser:
    """A phone's browser, roughly: cookies, the CSRF token of the last page, no redirect following."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._Stay())
        self.csrf = ""

    def request(self, path: str, data: dict[str, Any] | None = None, timeout: float = 30) -> tuple[int, str]:
        """(status, body); a connection that fails or is cut gives status 0."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrf_token": self.csrf}, doseq=True).encode()
        try:
            try:
                with self.opener.open(self.base + path, body, timeout=timeout) as r:
                    status, text = r.status, r.read().decode()
            except urllib.error.HTTPError as err:
                status, text = err.code, err.read().decode()
        except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
            return 0, ""
        found = CSRF_RE.search(text)
        if found:
            self.csrf = found.group(1) or found.group(2)
        return status, text


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port, which the test may restart."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        need(bool(bins), "PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = Path(bins[-1])
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            need(shutil.which("runuser") is not None and _user_exists("postgres"), "no 'postgres' user to run PostgreSQL")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="engage-test-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://engage@127.0.0.1:{self.port}/engage"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> PrivatePostgres:
        self.data.mkdir(parents=True)
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "engage", "--no-sync")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "engage", "engage")
        return self

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "log"), "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c fsync=off", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is the database's own kill -9: no checkpoint, recovery from the WAL at start."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")

    def cleanup(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class RedisServer:
    """A private redis-server on a free loopback port, nothing saved to disk."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        need(binary is not None, "redis-server not found (apt-get install redis-server)")
        self.binary = str(binary)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
