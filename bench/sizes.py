"""Transferred size of key pages (HTML + CSS + JS + images), measured in Chromium, on the demo data.

    .venv/bin/python bench/sizes.py

First visit (nothing cached). Lighter is better for residents on cheap phones and poor signal.
"""
from __future__ import annotations

import json
import os

from harness import gunicorn, instance, python, run

FIND = """
import json
from sqlalchemy import select
from engage.extensions import db
from engage.events.models import Event
event = db.session.scalar(select(Event.id).where(Event.title_en == "Multicultural coffee morning"))
pots = {}
try:
    from engage.ballots.models import Pot
    pots = {p.status: p.id for p in db.session.scalars(select(Pot))}
except ImportError:
    pass
print(json.dumps({"event": event, "open_pot": pots.get("open"), "results_pot": pots.get("published")}))
"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def measure(page, url: str) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    sizes: dict[str, int] = {}
    responses = []

    def keep(response) -> None:  # type: ignore[no-untyped-def]
        responses.append(response)

    page.on("response", keep)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("response", keep)
    for response in responses:
        kind = response.request.resource_type
        s = response.request.sizes()
        sizes[kind] = sizes.get(kind, 0) + s["responseBodySize"] + s["responseHeadersSize"]
    return sum(sizes.values()), sizes


def main() -> None:
    from playwright.sync_api import sync_playwright

    with instance(os.environ.get("DATABASE_URL")) as env:
        run(["demo"], env)
        found = python(FIND, env)
        with gunicorn(env, workers=2) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("ENGAGE_CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            pages = {"home": "/cy/", "events list": "/cy/events/"}
            if found["open_pot"]:
                pages["vote page"] = f"/cy/pb/{found['open_pot']}"
            if found["results_pot"]:
                pages["results page"] = f"/cy/pb/{found['results_pot']}/results"
            staff = browser.new_context(viewport={"width": 360, "height": 740})
            page = staff.new_page()
            page.goto(server.base + "/en/sign-in")
            page.fill("#email", "admin@demo.example.org")
            page.fill("#password", "bara-brith-a-phaned")
            page.click("button[type=submit]")
            staff_pages = {"door page": f"/cy/manage/demo/events/{found['event']}/door"}
            print("transferred size, first visit (HTML + CSS + JS + images):")
            for name, path in {**pages, **staff_pages}.items():
                context = staff if name in staff_pages else browser.new_context(viewport={"width": 360, "height": 740})
                p = page if name in staff_pages else context.new_page()
                total, parts = measure(p, server.base + path)
                print(f"  {name:13} {total / 1024:6.1f} kB  {json.dumps({k: round(v / 1024, 1) for k, v in parts.items()})}")
            browser.close()


if __name__ == "__main__":
    main()
