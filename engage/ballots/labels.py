"""Words for the PB pages: refusals, statuses, channels, rules, and why a project was or was not funded.

Everything here is a lazy string or builds one in the page's language; the figures come from
``results.PublishedResult``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import formatting
from ..formatting import pounds

#: Why a ballot or a staff action was refused (``BallotRefusal`` codes). "code_not_valid" covers
#: unknown, used and mistyped codes alike: a stranger holding a code must not learn whether it was used.
REFUSALS = {
    "code_not_valid": _l("This code is not valid. Check it and try again, or ask for a new card."),
    "not_open": _l("Voting is not open for this fund."),
    "over_budget": _l("Your choices cost more than the budget. Remove a project so that the total fits."),
    "too_many": _l("You have chosen too many projects. Remove some so that you are within the limit."),
    "points_total": _l("Your points must add up to exactly the number of points you have to give."),
    "negative_points": _l("Points cannot be less than zero."),
    "tampered": _l("Something in your choices was not right. Check your choices and try again."),
    "empty": _l("Choose at least one project."),
    "already_voted": _l("A ballot has already been sent from this browser."),
    # Said only from this browser's own session (its receipt), never from what is known of the code.
    "voted_here": _l("You have already voted in this fund from this browser. Each code can be used once."),
    "postcode": _l("This postcode is not in the area of this fund."),
    "no_ballot": _l("Your ballot has timed out or was already sent. Start again."),
    "fixed_once_open": _l("The counting rule, budget, ballot and projects cannot change once voting has opened."),
    "wrong_status": _l("That cannot be done at this stage of the vote."),
    "not_ready": _l("The pot is not ready to open yet."),
    "same_person": _l("A different member of staff must check a paper ballot."),
    "not_found": _l("That paper ballot has already been dealt with."),
    "admin_only": _l("Only an admin of the organisation can do that while voting is open or to publish results."),
    "no_preview": _l("Count the votes for a private preview first."),
    "same_person_preview": _l("A different member of staff must check the preview and publish it: you counted it."),
    "preview_changed": _l("The count no longer matches the preview. Count the votes again and check the new preview."),
    "kiosk_pin_form": _l("Enter a PIN of 4 to 8 digits"),
    "kiosk_window": _l("Enter a time at most 12 hours from now."),
    "kiosk_event": _l("Select an event of your organisation that is on now or in the next week."),
    "kiosk_ended": _l("This kiosk has ended. Ask a member of staff."),
    "kiosk_pin_wrong": _l("That PIN is not right."),
    "kiosk_wait": _l("The next vote can start in a few seconds. Press the button again."),
    "kiosk_pin_spent": _l("Too many wrong PINs. End the kiosk on the fund’s page in the staff area."),
    "postcode_cap": _l("The most ballots this fund accepts from one postcode have already been sent from "
                       "this postcode."),
    "address_cap": _l("The most ballots this fund accepts from one internet address have already been sent "
                      "from this address. Many people can share an address, for example in a library or "
                      "an office."),
    # `engage pb import`: files our tables cannot hold (pabulib.import_pabulib).
    "import_no_projects": _l("The file has no projects."),
    "import_zero": _l("The budget and the cost of every project must be more than zero."),
    "import_title_too_long": _l("The fund’s title (the file’s description) is too long. Give a shorter title with "
                                "--title."),
    "import_name_too_long": _l("A project’s name is too long. Shorten it in the file."),
    "import_too_large": _l("The number is too large for Engage to keep."),
    "import_over_budget": _l("max_sum_cost is more than the budget: a ballot could cost more than the fund has."),
}

#: Open voting's caps (``caps.py``), as the pot form, the staff page, the start page and the results name them.
CAP_LABELS = {
    "max_per_postcode": _l("Most ballots from one postcode"),
    "max_per_address": _l("Most ballots from one internet address"),
}

#: What stops a draft pot from opening (``lifecycle.readiness``).
READINESS = {
    "title_both_languages": _l("Give the pot a title in both Welsh and English."),
    "two_projects": _l("Add at least two projects."),
    "project_titles": _l("Give every project a title in both Welsh and English."),
    "postcodes": _l("Enter the postcodes of the area for open voting."),
}

CHANNEL_LABELS = {
    "code": _l("Voter code"),
    "kiosk": _l("Kiosk at an event"),
    "paper": _l("Paper ballot"),
    "open": _l("Open voting (one per browser)"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open for voting"),
    "closed": _l("Voting closed"),
    "published": _l("Results published"),
}

RULE_NAMES = {"greedy": _l("Most votes first"), "mes": _l("Method of Equal Shares")}
RULE_WORDS = {
    "greedy": _l("Projects are funded in order of votes, most first. A project that costs more than the money "
                 "left is skipped, and the next one is considered."),
    "mes": _l("The budget is shared equally between the people who voted. A project is funded when its "
              "supporters can pay for it together from their shares, starting with the projects that give "
              "their supporters most for each pound. If that leaves money unspent, every share is raised by "
              "the same amount, step by step, as far as the budget allows. Money still left at the end funds "
              "projects by votes."),
}


def caps_of(pot: Any) -> list[tuple[Any, int]]:
    """(label, most) for each cap an open pot set, in the order of ``CAP_LABELS``."""
    return [(label, getattr(pot, name)) for name, label in CAP_LABELS.items() if getattr(pot, name)]


def detail_lines(code: str, details: dict[str, Any]) -> list[str]:
    """The numbers behind a refusal, as "Label: value" lines (no numbers inside Welsh sentences)."""
    if code == "over_budget":
        return [_("Your choices cost: %(amount)s", amount=pounds(details["total"])),
                _("Budget: %(amount)s", amount=pounds(details["budget"]))]
    if code == "too_many":
        return [_("Projects chosen: %(count)s", count=details["chosen"]),
                _("Most you can choose: %(count)s", count=details["limit"])]
    if code == "points_total":
        return [_("Points given: %(count)s", count=details["given"]),
                _("Points to give: %(count)s", count=details["needed"])]
    return []


#: The currency and scale of the pot whose amounts are being put into words (see :func:`amounts_of`).
_AMOUNTS: ContextVar[tuple[str, int]] = ContextVar("pb_amounts", default=("GBP", 100))


@contextmanager
def amounts_of(pot: Any) -> Iterator[None]:
    """Within the block, :func:`money` gives amounts in ``pot``'s currency (an imported pot's may be
    whole złoty or euros rather than pence)."""
    token = _AMOUNTS.set((pot.currency, pot.amount_scale))
    try:
        yield
    finally:
        _AMOUNTS.reset(token)


def money(value: int | str | None) -> str:
    """The tally's exact amounts (whole, or "n/d" rounded to the penny or cent) in the pot's currency."""
    if value is None:
        return "–"
    currency, scale = _AMOUNTS.get()
    amount = Fraction(value)
    return formatting.money(round(amount) if scale == 100 else amount, currency, scale)


def shares_of(outcome: dict[str, Any], budget: int, voters: int) -> dict[str, Any]:
    """Equal shares' figures for :func:`reason_text`, from a tally outcome (``Outcome.to_dict``): the
    share each voter started with (the budget divided equally), the share the run that decided used,
    and whether it was raised (MES add1 raises every share by the same steps until one more would
    overspend, or nothing more can be bought)."""
    if outcome.get("voter_budget") is None or not voters:
        return {}
    return {"start": Fraction(budget, voters), "reached": Fraction(outcome["voter_budget"]),
            "raised": bool(outcome.get("budget_increments"))}


def ties_of(explanations: dict[str, dict[str, Any]]) -> set[str]:
    """Projects that a tie decided: by votes (greedy, or the completion after equal shares) the order
    goes most votes first, and between equal votes the fixed tie-break order; a tie decided something
    when projects with the same votes got different verdicts."""
    by_score: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for expl in explanations.values():
        if expl.get("stage") in ("greedy", "completion") and expl["reason"] in ("selected", "did_not_fit"):
            by_score.setdefault((expl["stage"], expl["score"]), []).append(expl)
    return {str(e["project_id"]) for level in by_score.values() if len({e["selected"] for e in level}) > 1
            for e in level}


def _share_lines(shares: dict[str, Any]) -> list[str]:
    lines = [_("Each voter’s share at the start: %(amount)s", amount=money(shares["start"]))]
    if shares["raised"]:
        lines.append(_("Each voter’s share once raised: %(amount)s", amount=money(shares["reached"])))
    return lines


def reason_text(expl: dict[str, Any], shares: dict[str, Any] | None = None,
                tied: bool = False) -> tuple[str, list[str]]:
    """A sentence and "Label: value" lines saying why a project was or was not funded.

    ``shares`` (from :func:`shares_of`) gives equal shares' figures; ``tied``: a tie decided it."""
    text, lines = _reason(expl, shares or {})
    if tied:
        lines.append(_("Level on votes with another project: the tie was settled by the fixed tie-break order "
                       "set before voting (by project reference)."))
    return text, lines


def _reason(expl: dict[str, Any], shares: dict[str, Any]) -> tuple[str, list[str]]:
    reason, stage = expl["reason"], expl.get("stage")
    if reason == "selected":
        if stage == "mes":
            price = ([_("Each supporter paid per vote: %(amount)s (or all their share had left, if less)",
                        amount=money(expl["price_per_vote"]))] if expl.get("price_per_vote") is not None else [])
            if shares.get("raised"):
                return (_("Funded by equal shares: its supporters paid for it together from their shares. Every "
                          "share had been raised by the same amount, as far as the budget allowed."),
                        _share_lines(shares) + price)
            return (_("Funded by equal shares: its supporters paid for it together from their shares."),
                    (_share_lines(shares) if shares else []) + price)
        if stage == "completion":
            return (_("Funded from the money equal shares left unspent (even with the shares raised), in order "
                      "of votes."),
                    (_share_lines(shares) if shares else [])
                    + [_("Money left after it: %(amount)s", amount=money(expl.get("money_left")))])
        return (_("Funded: it had the most votes of the projects that fitted in the money left."),
                [_("Money left after it: %(amount)s", amount=money(expl.get("money_left")))])
    if reason == "did_not_fit" and stage == "completion":
        return (_("Not funded: its supporters’ remaining shares could not cover its cost, and it cost more than the "
                  "money equal shares left unspent."),
                [_("Its supporters’ shares left: %(amount)s", amount=money(expl.get("supporters_budget_left"))),
                 _("Money left: %(amount)s", amount=money(expl.get("money_left")))])
    if reason == "did_not_fit":
        return (_("Not funded: it cost more than the money left when its turn came."),
                [_("Money left: %(amount)s", amount=money(expl.get("money_left")))])
    if reason == "supporters_could_not_afford":
        return (_("Not funded: its supporters’ remaining shares could not cover its cost."),
                (_share_lines(shares) if shares else [])
                + [_("Its supporters’ shares left: %(amount)s", amount=money(expl.get("supporters_budget_left")))])
    if reason == "below_threshold":
        return (_("Not funded: it had fewer votes than the minimum."),
                [_("Minimum: %(count)s", count=expl.get("threshold"))])
    return _("Not funded: nobody voted for it."), []


#: Why `engage pb import` could not read a file (``tally.PabulibError`` codes; "unreadable" for a
#: file the system would not open).
PABULIB_ERRORS = {
    "unreadable": _l("The file could not be read."),
    "not_utf8": _l("The file is not UTF-8 text. Save it again as UTF-8."),
    "nul": _l("The file holds a NUL character, so it is not a text file."),
    "line_too_long": _l("The line has more characters than a line may have."),
    "field_too_long": _l("A field has more characters than a field may have."),
    "bad_quotes": _l("A quoted field is not closed properly: check the quotation marks."),
    "data_before_section": _l("The file must start with the META section."),
    "unknown_section": _l("The file has a section that is not META, PROJECTS or VOTES."),
    "section_twice": _l("A section appears twice."),
    "section_order": _l("The sections must come in the order META, PROJECTS, VOTES."),
    "missing_section": _l("A section is missing: a file needs META, PROJECTS and VOTES."),
    "no_header": _l("The section has no header row."),
    "missing_column": _l("The header row is missing a column that the section needs."),
    "too_few_columns": _l("The row has fewer columns than the header row."),
    "too_many_columns": _l("The row has more columns than the header row."),
    "meta_missing": _l("META is missing an entry that every file needs."),
    "vote_type": _l("This vote_type is not supported: use approval, choose-1 or cumulative."),
    "not_number": _l("The value is not a number."),
    "negative": _l("The value is less than zero."),
    "not_whole": _l("The value is not a whole number."),
    "too_large": _l("The number is larger than the limit."),
    "limit_zero": _l("This limit must be at least 1."),
    "empty_project_id": _l("A project has no project_id."),
    "bad_project_id": _l("A project_id has a comma in it, or spaces at its start or end: votes list projects by id, "
                         "separated by commas, so no vote could name it."),
    "duplicate_project": _l("Two projects have the same project_id."),
    "unknown_project": _l("A vote names a project that is not in PROJECTS."),
    "project_twice": _l("A vote names the same project twice."),
    "points_count": _l("The vote’s points do not match its projects: give one number of points for each project."),
    "vote_over": _l("A vote goes over a limit set in META."),
    "vote_under": _l("A vote falls short of a minimum set in META."),
    "invalid": _l("The election in the file is not valid."),
}

#: The "Label: value" lines under an import error, in this order (keys of the error's details).
IMPORT_DETAILS = (
    ("section", _l("Section: %(value)s")),
    ("what", _l("Field: %(value)s")),
    ("project", _l("Project: %(value)s")),
    ("value", _l("Value: %(value)s")),
    ("limit", _l("Limit: %(value)s")),
    ("found", _l("In the file: %(value)s")),
)


def import_failure(path: str, reason: Any, line: int | None, details: dict[str, Any]) -> list[str]:
    """Why a file was not imported, in the current language: a heading, the reason, "Label: value" lines."""
    lines = [_("Error: the file was not imported, and nothing was changed."), str(reason),
             _("File: %(value)s", value=path)]
    if line:
        lines.append(_("Line: %(value)s", value=line))
    return lines + [str(label) % {"value": details[key]} for key, label in IMPORT_DETAILS if key in details]
