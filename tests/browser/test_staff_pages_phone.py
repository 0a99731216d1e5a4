"""Issue #19 item 10: at phone width (390 × 844) every staff page fits in Welsh as in English — labels
and long words wrap, nothing runs off the side of the page and nothing is cut short.

Welsh is often longer than English ("Yn cael ei ddefnyddio" for "In use"), so tables of several
columns that fit in English ran wider than the phone in Welsh. The walk starts at the organisation's
staff home with the demo loaded and reads one page of each shape it can reach."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from browser.conftest import ARTIFACTS, sign_in

PHONE_390 = {"width": 390, "height": 844}
#: How far the page runs past the phone's edge, and what in <main> does (px); and any text cut short.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const hidden = e => e.closest('.visually-hidden, [hidden]') || getComputedStyle(e).clipPath.startsWith('inset');
  const past = [...document.querySelectorAll('main *')].filter(e => e.offsetParent && !hidden(e))
    .map(e => [e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''), Math.round(e.getBoundingClientRect().right - width)])
    .filter(x => x[1] > 0);
  const cut = [...document.querySelectorAll('main *:not(input):not(select):not(textarea)')].filter(e => e.offsetParent && !hidden(e)).filter(e => {
    const s = getComputedStyle(e);
    return s.textOverflow === 'ellipsis' || (['hidden', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1);
  }).map(e => e.tagName.toLowerCase() + '.' + e.className);
  return {page: document.documentElement.scrollWidth - width, past: past.slice(0, 5), cut: cut.slice(0, 5)};
}"""
SKIP = re.compile(r"/sign-out|\.(csv|pb|ics|json)$|/(print|poster|cards|door|kiosk)\b|/reports/\d{4}-\d{2}/(html|csv)")


def _shape(path: str) -> str:
    return re.sub(r"\d{4}-\d{2}", "M", re.sub(r"\d+", "N", path))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_every_staff_page_fits_a_phone_in_both_languages(browser, app, live_server, lang):
    from engage.demo import DEMO_ADMIN, DEMO_PASSWORD, load_demo

    with app.app_context():
        list(load_demo())
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems, seen, shapes = [], set(), set()
    try:
        sign_in(page, live_server, DEMO_ADMIN, DEMO_PASSWORD, lang=lang)
        queue = [f"/{lang}/manage/demo/", f"/{lang}/manage/"]
        while queue:
            path = queue.pop(0)
            if path in seen or _shape(path) in shapes:
                continue
            seen.add(path)
            shapes.add(_shape(path))
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            found = page.evaluate(MEASURE)
            if found["page"] > 0 or found["past"] or found["cut"]:
                problems.append(f"{path}: {found}")
                page.screenshot(path=str(ARTIFACTS / f"staff-phone-{lang}-{len(problems)}.png"), full_page=True)
            for href in page.eval_on_selector_all("main a[href], header a[href]", "els => els.map(e => e.href)"):
                url = urlsplit(href)
                if url.netloc == urlsplit(live_server.url).netloc and url.path.startswith(f"/{lang}/manage/") \
                        and not SKIP.search(url.path):
                    queue.append(url.path)
    finally:
        context.close()
    assert len(shapes) >= 25, sorted(shapes)
    assert not problems, "\n".join(problems)
