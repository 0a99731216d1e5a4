"""A real Chromium (Debian's /usr/bin/chromium) driving the app served on loopback."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from helpers import need

CHROMIUM = os.environ.get("ENGAGE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags from this machine's notes: without the background-networking ones Chromium keeps trying
# to reach Google's hosts, which this closed network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    need(Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)),
         f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["PUBLIC_URL"] = self.url  # this server is the site: printed and emailed links lead here
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def context(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page_errors() -> list[str]:
    """What went wrong in the page: a test that provokes a failure on purpose checks and clears it."""
    return []


@pytest.fixture
def page(context, page_errors):  # type: ignore[no-untyped-def]
    page = context.new_page()
    errors = page_errors
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Broken stylesheets, scripts or images are bugs; a page we asked for that is a 404 on purpose
    # is not, so resource failures are judged by the response, not by the console's message.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    yield page
    # A CSP violation or a script error is a bug even when the page looks right.
    assert errors == [], errors


def sign_in(page, server: LiveServer, email: str, password: str, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/{lang}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
