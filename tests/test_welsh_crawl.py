"""Issue #19, "done when": every page reachable from /cy/ and /cy/manage/ as a signed-in admin, and the
downloads they link, has no English outside text marked lang="en" that is a resident's own words or the
English half of something given in both languages.

The demo is loaded (every journey, every kind of page), the crawl follows each link that stays in
Welsh, and each page is compared with its /en/ twin. A piece of text on a Welsh page is English when
it is an interface message of the catalogue shown untranslated, or when it has English words that
Welsh never uses ("the", "your", "with" …). Text in an element marked lang="en" is not read, but every such
element must say why it may be English: ``data-english="half"`` (the English half of a text shown in
both languages, e.g. a bilingual poster, an entry's English text beside its Welsh), ``"resident"`` (a
resident's own words, as written), ``"as-sent"`` (an email sent in English, shown in the outbox as
it was sent) or ``"record"`` (an old audit entry's stored English); a page with English halves shows
as many Welsh ones marked ``lang="cy"``. Downloads are read the same way, cell by
cell; the columns of the English half of bilingual open data (``…_en``) are not.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po

from engage.demo import DEMO_ADMIN, DEMO_PASSWORD
from helpers import Client, sign_in
from textcheck import visible_text

ROOT = Path(__file__).resolve().parent.parent
#: English words that are not Welsh words: one of them in a Welsh page's text is English showing.
#: ("a", "i", "o", "at", "am", "to", "is", "be", "we" — the web — are left out: they are Welsh words too.)
ENGLISH_ONLY = frozenset("""the and of your you with this for are was were has have not will from been can by in
on it that which what when where who how there their they our no yes or if than only please enter select
choose back next save cancel download sign email password event events fund votes vote results new add saved
created closed opened changed deleted print project projects entry entries opening times show hide edit delete
remove change name date time people more less about see view none""".split())
#: Links not followed: signing out is a form, pictures and stylesheets have no words.
NOT_FOLLOWED = re.compile(r"^/(static|img|brand)/|/sign-out")
#: A date in figures ("06/12/26 05:36", "2026-11") where a person reads "6 Rhagfyr 2026", "Tachwedd 2026".
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|^\d{4}-\d{2}(-\d{2})?$")
#: Why an element on a Welsh page may be English (see the module's docstring).
ENGLISH_REASONS = {"half", "resident", "as-sent", "record"}
ENGLISH_ELEMENT = re.compile(r"""<[a-z0-9]+\b[^>]*\slang=["']?en\b[^>]*>""", re.I)
WELSH_ELEMENT = re.compile(r"""<(?!html\b)[a-z0-9]+\b[^>]*\slang=["']?cy\b[^>]*>""", re.I)
#: How many pages of one shape (ids and months replaced) are read: enough to see each kind of page.
PER_SHAPE = 2
DOWNLOADS = (".csv", ".pb", ".ics", ".xml")
#: Download columns of residents' own words (Welsh headings): names and access needs as written.
RESIDENT_COLUMNS = {"Enw", "Anghenion mynediad"}
#: A column of stable codes in open data (``event_id``, ``result_code``): the same in every language.
CODE = re.compile(r"[a-z]+(_[a-z]+)+")


class Catalogue:
    """The catalogue's English messages whose Welsh is different: shown on a Welsh page, they are
    English. A message with placeholders ("%(email)s signed in") is matched with anything in them."""

    def __init__(self, plain: set[str], templates: list[str]) -> None:
        self.plain = plain
        parts = [".+?".join(re.escape(bit) for bit in PLACEHOLDER.split(t)) for t in templates]
        self.pattern = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None

    def has(self, text: str) -> bool:
        return text in self.plain or bool(self.pattern and self.pattern.fullmatch(text))


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalogue_english() -> Catalogue:
    with open(ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    plain, templates = set(), []
    for message in catalogue:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        welsh = [message.string] if isinstance(message.string, str) else list(message.string)
        for english in ids:
            if not english or english in welsh or not re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", english)):
                continue
            if PLACEHOLDER.search(english):
                templates.append(english.strip())
            else:
                plain.add(english.strip())
    return Catalogue(plain, templates)


def english_in(segment: str, catalogue: Catalogue) -> bool:
    text = segment.strip().rstrip(":.")
    if catalogue.has(text) or catalogue.has(segment.strip()):
        return True
    words = re.findall(r"[^\W\d_]+(?:[’'][^\W\d_]+)?", segment.lower())
    # An email address or a web address is neither language.
    if re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+", segment):
        words = re.findall(r"[^\W\d_]+", re.sub(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+", " ", segment.lower()))
    return any(w in ENGLISH_ONLY for w in words)


def _shape(path: str) -> str:
    return re.sub(r"\d{4}-\d{2}", "M", re.sub(r"\d+", "N", path))


def _links(html: str, base: str) -> list[str]:
    found = []
    for href in re.findall(r"""<a\b[^>]*?\bhref=["']([^"'#]+)""", html):
        url = urlsplit(urljoin("http://localhost" + base, href.replace("&amp;", "&")))
        if url.netloc == "localhost" and url.path.startswith("/cy/") and not NOT_FOLLOWED.search(url.path):
            found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _download_cells(path: str, body: str) -> list[str]:
    """The words a person reads in a download: CSV cells (less the English columns of bilingual open
    data), a calendar's texts, a .pb file's META values and PROJECTS cells."""
    if path.endswith(".xml"):  # an Atom feed: its titles, summaries and contents
        return [re.sub(r"<[^>]+>", " ", text) for text in
                re.findall(r"<(?:title|summary|content|subtitle)\b[^>]*>(.*?)</", body, re.S)]
    if path.endswith(".ics"):
        return [line.split(":", 1)[1] for line in body.splitlines()
                if line.split(":", 1)[0].split(";")[0] in ("SUMMARY", "DESCRIPTION", "LOCATION")]
    cells: list[str] = []
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";" if path.endswith(".pb") else ","))
    header: list[str] = []
    for row in rows:
        if path.endswith(".pb") and row and row[0] in ("META", "PROJECTS", "VOTES"):
            header = []
            continue
        if not header:
            header = row
            continue
        for name, cell in zip(header, row):
            if name.endswith("_en") or name.endswith("(Saesneg)") or (path.endswith(".pb") and name == "key"):
                continue  # the English half of both languages
            if name in RESIDENT_COLUMNS:
                continue  # residents' own words, as they wrote them
            if CODE.fullmatch(name):
                continue  # a stable code column, the same in every language (documented in the README)
            if path.endswith(".pb") and row and row[0].endswith("_en"):
                continue  # META description_en: the English half
            if not CODE.fullmatch(cell):  # a stable code (young_people, did_not_fit), documented
                cells.append(cell)
    return cells + [h for h in header if not CODE.fullmatch(h)] if not path.endswith(".pb") else cells


@pytest.fixture
def demo_client(app):  # type: ignore[no-untyped-def]
    from engage.demo import load_demo

    with app.app_context():
        list(load_demo())
    client = Client(app, use_cookies=True)
    assert sign_in(client, DEMO_ADMIN, DEMO_PASSWORD, lang="cy").status_code == 302
    return client


def test_every_welsh_page_and_download_reachable_as_an_admin_has_no_english_showing(demo_client):
    catalogue = _catalogue_english()
    client = demo_client
    queue = ["/cy/", "/cy/manage/", "/cy/page-that-is-not-here"]
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    problems: list[str] = []
    pages = downloads = 0
    reasons: Counter[str] = Counter()
    while queue:
        path = queue.pop(0)
        if path in seen or shapes[_shape(path)] >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[_shape(path)] += 1
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code in (301, 302, 303, 307, 308):
            queue.extend(_links(f'<a href="{response.headers["Location"]}">', path))
            continue
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            pages += 1
            twin = client.get("/en/" + path[len("/cy/"):]).get_data(as_text=True)
            english_twin = set(visible_text(twin, "en"))
            for element in ENGLISH_ELEMENT.findall(body):
                if re.search(r"""\shreflang=["']?en\b""", element):
                    continue  # the language switch: "English", in English, leading to the English page
                reason = re.search(r"""data-english=["']?([a-z-]+)""", element)
                reasons[reason.group(1) if reason else ""] += 1
                if not reason or reason.group(1) not in ENGLISH_REASONS:
                    problems.append(f"{path}: English marked lang=en without a reason: {element}")
            halves = len(re.findall(r"""data-english=["']?half""", body))
            if halves and len(WELSH_ELEMENT.findall(body)) < halves:
                problems.append(f"{path}: {halves} English halves but fewer Welsh ones marked lang=cy")
            for segment in visible_text(body, "cy"):
                if NUMERIC_DATE.search(segment):
                    problems.append(f"{path}: a date in figures, not through Babel: {segment!r}")
                if english_in(segment, catalogue):
                    problems.append(f"{path}: {segment!r}" + (" (as on /en/)" if segment in english_twin else ""))
            queue.extend(_links(body, path))
        elif urlsplit(path).path.endswith(DOWNLOADS):
            downloads += 1
            for cell in _download_cells(urlsplit(path).path, body):
                if english_in(cell, catalogue):
                    problems.append(f"{path} (download): {cell!r}")
    assert pages >= 60 and downloads >= 4, (pages, downloads, sorted(seen))
    assert reasons["half"] and reasons["resident"], reasons  # both kinds of English were met on the way
    assert not problems, "\n".join(problems[:60])


def test_the_english_detector_finds_english_and_leaves_welsh_alone():
    catalogue = Catalogue({"Audit log", "Who"}, ["%(email)s signed in", "Funding pot %(id)s closed"])
    assert english_in("Results of funding pot 2 checked and published", catalogue)
    assert english_in("Audit log", catalogue) and english_in("Who:", catalogue)
    assert english_in("admin@demo.example.org signed in to the staff area", catalogue)
    assert english_in("admin@demo.example.org signed in", catalogue) and english_in("Funding pot 3 closed", catalogue)
    assert english_in("Add a new project", catalogue) and english_in("Opening times", catalogue)
    for welsh in ("Mewngofnododd admin@demo.example.org", "Crëwyd y digwyddiad: Bore coffi", "Ydy", "Cyngor Gwynedd",
                  "Mae’r canlyniadau wedi’u cyhoeddi.", "Llangefni", "Ann Jones", "1.2", "at y Cyngor", "i’r dref"):
        assert not english_in(welsh, catalogue), welsh
