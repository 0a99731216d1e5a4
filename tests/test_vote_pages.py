"""The resident's side of a vote (issue #17): ballot rows, a used code, the receipt, results before
they are published, why a project was funded, the home page and the list of funds."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from factories import make_pot
from pb_helpers import publish_results, vote

DATA = Path(__file__).parent / "data" / "pabulib"


@pytest.fixture
def pot(app, two_orgs):  # type: ignore[no-untyped-def]
    return make_pot(app)


def _pot(app, pot_id):  # type: ignore[no-untyped-def]
    from engage.ballots.models import Pot
    from engage.extensions import db

    return db.session.get(Pot, pot_id)


def _close(app, pot_id, publish=False):  # type: ignore[no-untyped-def]
    from engage.ballots import lifecycle

    with app.app_context():
        lifecycle.close_pot(_pot(app, pot_id))
        if publish:
            publish_results(_pot(app, pot_id))


def _start_code(client, pot_id, code, lang="en"):  # type: ignore[no-untyped-def]
    from pb_helpers import csrf_of

    page = client.get(f"/{lang}/pb/{pot_id}/vote")
    return client.post(f"/{lang}/pb/{pot_id}/vote", data={"code": code, "csrf_token": csrf_of(page.get_data(as_text=True))})


# --- 1. the ballot: the whole row is the checkbox's label ----------------------------------------


def test_each_ballot_row_is_one_label_holding_box_title_cost_and_summary(app, client, pot):
    _start_code(client, pot.id, pot.codes[0])
    html = client.get(f"/en/pb/{pot.id}/vote/choose").get_data(as_text=True)
    rows = re.findall(r'<label class="ballot-choice" for="project-(\d+)">(.*?)</label>', html, re.S)
    assert sorted(int(pid) for pid, _ in rows) == sorted(pot.projects)
    for pid, inside in rows:
        assert f'id="project-{pid}"' in inside and f'aria-labelledby="title-{pid}"' in inside
        assert f'id="title-{pid}"' in inside and f'id="cost-{pid}"' in inside and "Cost: £" in inside
        assert f'id="summary-{pid}"' in inside and "About " in inside
    assert 'id="budget-status"' in html and "Chosen: £0 of £10,000" in html  # the server renders the total


def test_an_approval_ballot_shows_how_many_are_chosen_without_javascript(app, client, two_orgs):
    from pb_helpers import csrf_of

    made = make_pot(app, ballot_type="approval", max_choices=2)
    _start_code(client, made.id, made.codes[0], "cy")
    html = client.get(f"/cy/pb/{made.id}/vote/choose").get_data(as_text=True)
    assert "Prosiectau a ddewiswyd: 0" in html
    client.post(f"/cy/pb/{made.id}/vote/choose", data={"project": [str(p) for p in made.projects[:2]],
                                                        "action": "update", "csrf_token": csrf_of(html)})
    assert "Prosiectau a ddewiswyd: 2" in client.get(f"/cy/pb/{made.id}/vote/choose").get_data(as_text=True)


# --- 2. a used code: told only to the browser that used it ---------------------------------------


@pytest.mark.parametrize("lang, already, invalid", [
    ("en", "You have already voted in this fund from this browser", "This code is not valid"),
    ("cy", "Rydych chi eisoes wedi pleidleisio yn y gronfa hon o’r porwr hwn", "Nid yw’r cod hwn yn ddilys")])
def test_the_browser_that_voted_is_told_a_stranger_only_not_valid(app, client, pot, lang, already, invalid):
    assert vote(client, pot.id, pot.codes[0], [pot.projects[0]], lang=lang).status_code == 302
    again = _start_code(client, pot.id, pot.codes[0], lang)
    html = again.get_data(as_text=True)
    assert again.status_code == 400 and already in html and invalid not in html
    assert f'href="/{lang}/pb/{pot.id}/vote/done"' in html
    stranger = _start_code(app.test_client(), pot.id, pot.codes[0], lang).get_data(as_text=True)
    assert invalid in stranger and already not in stranger
    # The browser that voted may still vote with another household member's card.
    assert _start_code(client, pot.id, pot.codes[1], lang).status_code == 302


# --- 3. the receipt: recorded (not counted), when results are due, keep it ----------------------


def test_receipt_page_says_recorded_when_results_are_due_and_links_them(app, client, two_orgs):
    closes = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=9)
    made = make_pot(app, closes_at=closes)
    vote(client, made.id, made.codes[0], [made.projects[0]], lang="cy")
    html = client.get(f"/cy/pb/{made.id}/vote/done").get_data(as_text=True)
    assert "Mae eich pleidlais wedi’i chofnodi" in html and "chyfrif</h1>" not in html
    assert "Y bleidlais yn cau" in html and str(closes.year) in html
    assert f'href="/cy/pb/{made.id}/results"' in html
    assert f'href="/cy/pb/{made.id}/vote/receipt.txt"' in html and "data-print" in html


@pytest.mark.parametrize("lang, words", [("en", ("Fund: Bangor Fund", "Your receipt code: ")),
                                         ("cy", ("Cronfa: Cronfa Bangor", "Eich cod derbynneb: "))])
def test_receipt_download_holds_fund_code_and_where_to_check_never_the_choices(app, client, pot, lang, words):
    vote(client, pot.id, pot.codes[0], [pot.projects[0]], lang=lang)
    receipt = re.search(r'id="receipt">([A-Z0-9-]+)<', client.get(f"/{lang}/pb/{pot.id}/vote/done").get_data(as_text=True))[1]
    response = client.get(f"/{lang}/pb/{pot.id}/vote/receipt.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and "attachment" in response.headers["Content-Disposition"]
    assert words[0] in text and words[1] + receipt in text
    assert f"/{lang}/pb/{pot.id}/results" in text
    for title in ("Community garden", "Gardd gymunedol", "Youth club", "Clwb ieuenctid", "Benches", "Meinciau"):
        assert title not in text
    assert app.test_client().get(f"/{lang}/pb/{pot.id}/vote/receipt.txt").status_code == 404  # not theirs


# --- 4. results before they are published --------------------------------------------------------


def test_results_of_an_open_or_closed_pot_say_when_and_the_data_stay_embargoed(app, client, pot):
    vote(client, pot.id, pot.codes[0], [pot.projects[0]])
    open_page = client.get(f"/en/pb/{pot.id}/results")
    assert open_page.status_code == 200 and "Voting is open." in open_page.get_data(as_text=True)
    _close(app, pot.id)
    for lang, words in (("en", "The votes are being counted and checked"), ("cy", "Mae’r pleidleisiau’n cael eu cyfrif")):
        html = client.get(f"/{lang}/pb/{pot.id}/results").get_data(as_text=True)
        assert words in html and "Community garden" not in html and "Gardd gymunedol" not in html
    for suffix in ("results.json", "results.csv", "ballots.pb"):
        for lang in ("cy", "en"):
            assert client.get(f"/{lang}/pb/{pot.id}/{suffix}").status_code == 404


def test_a_closed_pots_page_shows_its_stage_not_how_to_vote(app, client, pot):
    _close(app, pot.id)
    html = client.get(f"/en/pb/{pot.id}").get_data(as_text=True)
    assert "How to vote" not in html and "Vote now" not in html
    assert "Voting has closed." in html and "being counted and checked" in html
    assert "Mae’r bleidlais wedi cau." in client.get(f"/cy/pb/{pot.id}").get_data(as_text=True)


# --- 5. results on a phone: a table that reflows, a chart that reads ----------------------------


def test_results_table_keeps_its_roles_and_its_caption_says_the_order(app, client, pot):
    vote(client, pot.id, pot.codes[0], [pot.projects[0], pot.projects[2]])
    _close(app, pot.id, publish=True)
    html = client.get(f"/en/pb/{pot.id}/results").get_data(as_text=True)
    table = html[html.index('id="results-table"'):html.index("</table>", html.index('id="results-table"'))]
    assert 'role="table"' in html and table.count('role="row"') == 1 + len(pot.projects)
    assert table.count('<th scope="row" role="rowheader">') == len(pot.projects)
    assert table.count('data-label="Cost"') == len(pot.projects) and table.count('data-label="Votes"') == len(pot.projects)
    assert "the funded ones first, in the order they were chosen, then the rest, most votes first" in table


def test_chart_words_are_readable_on_a_phone_and_wrap_never_cut():
    from engage.ballots import svg

    long = "Gwella’r llwybr beicio rhwng y parc a’r ysgol gynradd – Wedi’i ariannu’n rhannol"
    drawn = str(svg.bar_chart([{"title": long, "value": 12, "funded": True}, {"title": "B", "value": 3, "funded": False}],
                              title="Siart", chart_id="c", value_label="Pleidleisiau", funded_word="Wedi’i ariannu",
                              not_funded_word="Heb ei ariannu"))
    width = int(re.search(r'viewBox="0 0 (\d+) ', drawn)[1])
    assert width <= 360 and 'font-size="16"' in drawn  # about 1:1 on a 360 px phone: 16 px words
    texts = re.findall(r'<text [^>]*>([^<]*)</text>', drawn)
    assert all(len(t) <= svg.WRAP + 6 for t in texts)
    assert "Pleidleisiau: 12 – Wedi’i ariannu" in texts  # the verdict has its own line, whole
    labels = re.findall(r'class="chart-label">([^<]*)</text>', drawn)
    assert " ".join(labels[:-1]) == long and labels[-1] == "B"  # every word of the title, on several lines


# --- 6. why a project was funded: the numbers agree with the words ------------------------------


FIVE_THOUSAND_BY_SIX = [("Pwll", "Pool", 325_000), ("Parc", "Park", 150_000), ("Caffi", "Cafe", 200_000),
                        ("Llyfrau", "Books", 100_000)]


def test_equal_shares_explains_shares_raised_from_a_sixth_of_five_thousand(app, client, two_orgs):
    made = make_pot(app, codes=6, projects=FIVE_THOUSAND_BY_SIX, budget_pence=500_000, rule="mes",
                    ballot_type="approval", max_choices=4)
    pool, park, cafe, books = made.projects
    for code, chosen in zip(made.codes, [[pool], [pool], [pool, books], [park, cafe], [park, cafe], [park]]):
        assert vote(app.test_client(), made.id, code, chosen).status_code == 302
    _close(app, made.id, publish=True)
    html = client.get(f"/en/pb/{made.id}/results").get_data(as_text=True)
    rows = dict(re.findall(r'<th scope="row" role="rowheader"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', html, re.S))
    assert "Each voter’s share at the start: £833.33" in rows["Pool"]  # £5,000 ÷ 6
    assert "Each voter’s share once raised: £1,083.33" in rows["Pool"]
    assert "Each supporter paid per vote: £1,083.33" in rows["Pool"]  # no more than the share it reached
    assert "Every share had been raised by the same amount" in rows["Pool"]
    assert "could pay for it together from their shares" not in html
    assert "Not funded" in rows["Cafe"] and "Money left: £250" in rows["Cafe"]
    assert "Its supporters’ shares left: £1,166.67" in rows["Cafe"]  # 2 × (£1,083.33 − £500 for the park)
    welsh = client.get(f"/cy/pb/{made.id}/results").get_data(as_text=True)
    assert "Cyfran pob pleidleisiwr ar y dechrau: £833.33" in welsh and "ar ôl ei chodi: £1,083.33" in welsh


def test_a_real_election_every_price_is_within_the_share_it_reached(app, client, two_orgs):
    from fractions import Fraction

    from engage.accounts.services import get_org
    from engage.ballots import pabulib
    from engage.ballots.results import published

    with app.app_context():
        pot = pabulib.import_pabulib(get_org("gwynedd"), (DATA / "Netherlands_Assen_2024.pb").read_text())
        publish_results(pot)
        official, pot_id = published(pot).official, pot.id
    reached = Fraction(official["voter_budget"])
    assert official["budget_increments"] > 0 and reached > Fraction(100_000, 84)
    html = client.get(f"/en/pb/{pot_id}/results").get_data(as_text=True)
    assert html.count("Each voter’s share at the start: €1,190.48") >= 9  # €100,000 ÷ 84, in the file's euros
    prices = [Fraction(e["price_per_vote"]) for e in official["explanations"].values() if e.get("stage") == "mes"
              and e["selected"]]
    assert len(prices) == 9 and all(price <= reached for price in prices)
    assert html.count("Funded from the money equal shares left unspent") == 1


def test_a_tie_that_decided_a_project_says_the_tie_break_rule(app, client, two_orgs):
    made = make_pot(app, codes=2, projects=[("Un", "One", 600_000), ("Dau", "Two", 600_000), ("Tri", "Three", 100_000)])
    one, two, three = made.projects
    vote(app.test_client(), made.id, made.codes[0], [one, three])
    vote(app.test_client(), made.id, made.codes[1], [two, three])
    _close(app, made.id, publish=True)
    html = client.get(f"/en/pb/{made.id}/results").get_data(as_text=True)
    rows = dict(re.findall(r'<th scope="row" role="rowheader"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', html, re.S))
    assert "the tie was settled by the fixed tie-break order" in rows["One"]
    assert "the tie was settled by the fixed tie-break order" in rows["Two"]
    assert "tie-break" not in rows["Three"]


# --- 7. the home page and the list of funds ------------------------------------------------------


def test_home_cards_are_links_and_it_shows_open_votes_and_next_events(app, client, two_orgs, make_event):
    made = make_pot(app)
    make_event(title={"cy": "Bore coffi Bangor", "en": "Bangor coffee morning"})
    for lang, pb, events, yswd in (("en", "/en/pb/", "/en/events/", "/en/you-said-we-did/"),
                                   ("cy", "/cy/pb/", "/cy/events/", "/cy/you-said-we-did/")):
        html = client.get(f"/{lang}/").get_data(as_text=True)
        cards = html[html.index('class="card-list"'):]
        assert f'href="{pb}"' in cards and f'href="{events}"' in cards and f'href="{yswd}"' in cards
        assert f'href="/{lang}/pb/{made.id}"' in html
        assert {"en": "Bangor coffee morning", "cy": "Bore coffi Bangor"}[lang] in html


def test_fund_list_puts_open_first_closing_soonest_then_published_then_closed(app, client, two_orgs):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    closed = make_pot(app, title={"cy": "C-ar-gau", "en": "C-closed"})
    published = make_pot(app, title={"cy": "C-cyhoeddi", "en": "C-published"})
    make_pot(app, title={"cy": "C-hwyr", "en": "C-later"}, closes_at=now + timedelta(days=20))
    make_pot(app, title={"cy": "C-dim", "en": "C-no-close"})
    make_pot(app, title={"cy": "C-cyn", "en": "C-soon"}, closes_at=now + timedelta(days=2))
    _close(app, closed.id)
    _close(app, published.id, publish=True)
    html = client.get("/en/pb/").get_data(as_text=True)
    order = re.findall(r'>(C-[a-z-]+)</a>', html)
    assert order == ["C-soon", "C-later", "C-no-close", "C-published", "C-closed"], order
