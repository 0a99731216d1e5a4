"""Shared benchmark harness: a throwaway database, gunicorn serving Engage on loopback, and
signed-in HTTP sessions (stdlib only). Benchmarks print medians and ratios; they assert nothing."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
#: Long and not guessable: the app refuses weak passwords (12 characters, zxcvbn score 3).
PASSWORD = "llechi-glas-ar-do-capel-9"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_database(server_url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on the server of ``server_url``, dropped afterwards, so a
    benchmark never writes into a database someone else uses. ``None`` (SQLite) passes through."""
    if not server_url:
        yield None
        return
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"engage_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def instance(database_url: str | None = None) -> Iterator[dict[str, str]]:
    """Environment for a fresh Engage: its own instance folder and database (SQLite there by
    default; with a PostgreSQL URL, a throwaway database on that server)."""
    with tempfile.TemporaryDirectory(prefix="engage-bench-") as tmp, throwaway_database(database_url) as url:
        env = dict(os.environ, ENGAGE_INSTANCE_PATH=tmp, ENGAGE_SECRET_KEY="bench-secret-key-" + "x" * 32,
                   ENGAGE_RATELIMIT_STORAGE_URI="memory://", PYTHONPATH=str(ROOT))
        env.pop("DATABASE_URL", None)
        if url:
            env["DATABASE_URL"] = url
        run(["db", "upgrade"], env)
        yield env


def run(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", "from engage.cli import main; main()", *args], env=env,
                          check=True, capture_output=True, text=True).stdout


def python(code: str, env: dict[str, str]) -> Any:
    """Run ``code`` inside an app context in a child process; it prints one JSON value."""
    script = "from engage import create_app\napp = create_app()\nwith app.app_context():\n" + \
        "\n".join("    " + line for line in code.strip().splitlines())
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class Server:
    """gunicorn on a loopback port: its base URL and how much CPU its workers have used."""

    base: str
    pid: int

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time of the live workers (Linux /proc; 0 elsewhere)."""
        total = 0.0
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            for child in children:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
        return total


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 4, app: str = "wsgi:app", threads: int = 1,
             chdir: Path = ROOT) -> Iterator[Server]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                             "--chdir", str(chdir), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:  # refused, reset or timed out while the workers boot
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "gunicorn died")
                time.sleep(0.1)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as the answer


class Session:
    """A browser-like client: cookies, the CSRF token of the last page, JSON helpers."""

    def __init__(self, base: str, follow_redirects: bool = True) -> None:
        self.base = base
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
        if not follow_redirects:
            handlers.append(_NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)
        self.csrf = ""

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=30) as r:
            body = r.read()
        found = CSRF.search(body.decode("utf-8", "replace"))
        if found:
            self.csrf = found.group(1) or found.group(2)
        return r.status, body

    def post_form(self, path: str, data: dict[str, str | list[str]]) -> int:
        from urllib.parse import urlencode

        payload = urlencode({**data, "csrf_token": self.csrf}, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=payload), timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", "X-CSRFToken": self.csrf, "Accept": "application/json"})
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, {}

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.get("/en/sign-in")
        status = self.post_form("/en/sign-in", {"email": email, "password": password})
        if status not in (200, 302):
            raise RuntimeError(f"sign-in failed: {status}")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)
