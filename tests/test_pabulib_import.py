"""`engage pb import` against hostile files: each is refused in Welsh and English, exit status 2, no
traceback, and nothing written (issue #16). Runs on SQLite and, with DATABASE_URL, on PostgreSQL,
whose column limits SQLite does not enforce."""
from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent

META = "META\nkey;value\ndescription;Trefynwy 2024\nnum_projects;2\nnum_votes;2\nbudget;1000\nvote_type;approval\n"
PROJECTS = "PROJECTS\nproject_id;cost;name\na;600;Parc\nb;400;Llyfrgell\n"
VOTES = "VOTES\nvoter_id;vote\n1;a,b\n2;b\n"
GOOD = META + PROJECTS + VOTES  # line 8 is the first line after vote_type; 10 and 11 the projects; 14, 15 votes
POINTS = (GOOD.replace("vote_type;approval", "vote_type;cumulative\nmax_sum_points;5")
          .replace("voter_id;vote", "voter_id;vote;points")
          .replace("1;a,b\n", "1;a,b;3,2\n").replace("2;b\n", "2;b;4\n"))


def meta(extra: str) -> str:
    """GOOD with META lines added after vote_type (from line 8)."""
    return GOOD.replace("vote_type;approval\n", "vote_type;approval\n" + extra)


# (id, the file, Welsh reason, English reason, "Label: value" lines in English, in Welsh).
# Built lazily: a few are megabytes.
Case = tuple[str, Callable[[], str | bytes], str, str, list[str], list[str]]
WHOLE = ("Nid yw’r gwerth yn rhif cyfan.", "The value is not a whole number.")
TOO_LARGE = ("Mae’r rhif yn fwy na’r terfyn.", "The number is larger than the limit.")
KEEP = ("Mae’r rhif yn rhy fawr i Engage ei gadw.", "The number is too large for Engage to keep.")
AT_LEAST_1 = ("Rhaid i’r terfyn hwn fod yn 1 o leiaf.", "This limit must be at least 1.")
ZERO = ("Rhaid i’r gyllideb a chost pob prosiect fod yn fwy na sero.",
        "The budget and the cost of every project must be more than zero.")
ORDER = ("Rhaid i’r adrannau ddod yn y drefn META, PROJECTS, VOTES.",
         "The sections must come in the order META, PROJECTS, VOTES.")
MISSING = ("Mae adran ar goll: mae angen META, PROJECTS a VOTES ar ffeil.",
           "A section is missing: a file needs META, PROJECTS and VOTES.")
LONG_LINE = ("Mae gan y llinell fwy o nodau nag a ganiateir mewn llinell.",
             "The line has more characters than a line may have.")
CASES: list[Case] = [
    # META numbers. The old code crashed on the first four (int("2.0"), a CHECK constraint, an INTEGER overflow).
    ("max_length 2.0", lambda: meta("max_length;2.0\n").replace("1;a,b\n", "1;a\n"), "", "", [], []),
    ("max_length 0, no votes", lambda: meta("max_length;0\n").replace("1;a,b\n2;b\n", ""), *AT_LEAST_1,
     ["Line: 8", "Field: max_length", "Value: 0"], ["Llinell: 8", "Maes: max_length"]),
    ("max_length None", lambda: meta("max_length;None\n"), "", "", [], []),
    ("max_length 2**40", lambda: meta(f"max_length;{2**40}\n"), *KEEP,
     ["Field: max_length", "Limit: 2147483647", f"In the file: {2**40}"],
     ["Terfyn: 2147483647", f"Yn y ffeil: {2**40}"]),
    ("max_length 2.5", lambda: meta("max_length;2.5\n"), *WHOLE, ["Line: 8", "Value: 2.5"],
     ["Llinell: 8", "Gwerth: 2.5"]),
    ("max_length -1", lambda: meta("max_length;-1\n"), "Mae’r gwerth yn llai na sero.",
     "The value is less than zero.",
     ["Line: 8", "Value: -1"], ["Gwerth: -1"]),
    ("budget 0", lambda: GOOD.replace("budget;1000", "budget;0"), *ZERO, ["Field: budget"], ["Maes: budget"]),
    ("budget 2**70", lambda: GOOD.replace("budget;1000", f"budget;{2**70}"), *TOO_LARGE,
     ["Line: 6", "Field: budget", "Limit: 1000000000000"], ["Llinell: 6"]),
    ("budget 1e30", lambda: GOOD.replace("budget;1000", "budget;1e30"), *TOO_LARGE, ["Line: 6"], ["Llinell: 6"]),
    ("max_sum_cost above the budget", lambda: meta("max_sum_cost;5000\n").replace("2;b\n", "2;a,b\n3;a,b\n")
     .replace("a;600", "a;3000"), "Mae max_sum_cost yn fwy na’r gyllideb: gallai pleidlais gostio mwy nag sydd gan y "
     "gronfa.", "max_sum_cost is more than the budget: a ballot could cost more than the fund has.",
     ["Field: max_sum_cost", "Limit: 1000", "In the file: 5000"], ["Maes: max_sum_cost"]),
    ("max_sum_cost None, ballot over the budget",
     lambda: meta("max_sum_cost;None\n").replace("a;600", "a;900"), "", "", [], []),
    ("max_sum_points 2**40", lambda: POINTS.replace("max_sum_points;5", f"max_sum_points;{2**40}"), *KEEP,
     ["Field: max_sum_points", "Limit: 2147483647"], ["Maes: max_sum_points"]),
    ("max_sum_points 5.0", lambda: POINTS.replace("max_sum_points;5", "max_sum_points;5.0"), "", "", [], []),
    ("points, all zero", lambda: POINTS.replace("max_sum_points;5\n", "").replace("1;a,b;3,2", "1;a,b;0,0")
     .replace("2;b;4", "2;b;0"), "", "", [], []),
    # PROJECTS
    ("cost 2**70", lambda: GOOD.replace("a;600", f"a;{2**70}"), *TOO_LARGE, ["Line: 10", "Field: cost"],
     ["Llinell: 10"]),
    ("cost 1e999999999", lambda: GOOD.replace("a;600", "a;1e999999999"), *TOO_LARGE,
     ["Line: 10", "Value: 1e999999999"], ["Gwerth: 1e999999999"]),
    ("cost 0", lambda: GOOD.replace("a;600", "a;0"), *ZERO, ["Field: cost", "Project: a"], ["Prosiect: a"]),
    ("cost NaN", lambda: GOOD.replace("a;600", "a;NaN"), *WHOLE, ["Line: 10"], ["Llinell: 10"]),
    # A budget or cost past a trillion units (the staff form's limit) is refused by the reader, so
    # costs can no longer add up past the database's BIGINT.
    ("budget past a trillion", lambda: GOOD.replace("a;600", f"a;{2**62}").replace("b;400", f"b;{2**62}")
     .replace("budget;1000", f"budget;{2**62}"), *TOO_LARGE, ["Field: budget", "Limit: 1000000000000"], ["Maes: budget"]),
    ("cost past a trillion", lambda: GOOD.replace("a;600", f"a;{10**12 + 1}"), *TOO_LARGE,
     ["Field: cost", "Limit: 1000000000000"], ["Maes: cost"]),
    ("duplicate project ids", lambda: GOOD.replace("b;400", "a;400"), "Mae gan ddau brosiect yr un project_id.",
     "Two projects have the same project_id.", ["Line: 11", "Project: a"], ["Llinell: 11", "Prosiect: a"]),
    ("no projects", lambda: META + "PROJECTS\nproject_id;cost;name\nVOTES\nvoter_id;vote\n",
     "Nid oes prosiectau yn y ffeil.", "The file has no projects.", [], []),
    ("a name of 201 characters", lambda: GOOD.replace("Parc", "P" * 201),
     "Mae enw prosiect yn rhy hir. Byrhewch ef yn y ffeil.", "A project’s name is too long. Shorten it in the file.",
     ["Field: name", "Project: a", "Limit: 200", "In the file: 201"], ["Terfyn: 200", "Yn y ffeil: 201"]),
    ("an id of 201 characters and no name", lambda: GOOD.replace("project_id;cost;name", "project_id;cost")
     .replace(";Parc", "").replace(";Llyfrgell", "").replace("a;600", "a" * 201 + ";600").replace("1;a,b", "1;b"),
     "Mae enw prosiect yn rhy hir. Byrhewch ef yn y ffeil.", "A project’s name is too long. Shorten it in the file.",
     ["Field: project_id", "In the file: 201"], ["Maes: project_id"]),
    ("a description of 201 characters", lambda: GOOD.replace("Trefynwy 2024", "D" * 201),
     "Mae teitl y gronfa (disgrifiad y ffeil) yn rhy hir. Rhowch deitl byrrach gyda --title.",
     "The fund’s title (the file’s description) is too long. Give a shorter title with --title.",
     ["Field: description", "Limit: 200"], ["Maes: description"]),
    ("a 128 KB name", lambda: GOOD.replace("Parc", "P" * (128 * 1024)), *LONG_LINE, ["Line: 10", "Limit: 131072"],
     ["Llinell: 10"]),
    ("a 128 KB field over three lines", lambda: GOOD.replace("Parc", '"' + ("x" * 50_000 + "\n") * 3 + '"'),
     "Mae gan faes fwy o nodau nag a ganiateir mewn maes.", "A field has more characters than a field may have.",
     ["Line: 10"], ["Llinell: 10"]),
    # VOTES
    ("a vote for an unknown project", lambda: GOOD.replace("1;a,b", "1;a,z"),
     "Mae pleidlais yn enwi prosiect nad yw yn PROJECTS.", "A vote names a project that is not in PROJECTS.",
     ["Line: 14", "Project: z"], ["Llinell: 14", "Prosiect: z"]),
    ("points over max_sum_points", lambda: POINTS.replace("1;a,b;3,2", "1;a,b;3,3"),
     "Mae pleidlais yn mynd dros derfyn a osodwyd yn META.", "A vote goes over a limit set in META.",
     ["Line: 15", "Field: max_sum_points", "Limit: 5", "In the file: 6"], ["Llinell: 15", "Terfyn: 5"]),
    ("points of 2**70", lambda: POINTS.replace("max_sum_points;5\n", "").replace("1;a,b;3,2", f"1;a,b;{2**70},1"),
     *TOO_LARGE, ["Line: 14", "Field: points"], ["Maes: points"]),
    ("a line of 10 MB", lambda: GOOD.replace("1;a,b\n", "1;" + "a," * 5_000_000 + "b\n"), *LONG_LINE,
     ["Line: 14"], ["Llinell: 14"]),
    # The shape of the file
    ("an empty file", lambda: "", *MISSING, ["Section: META"], ["Adran: META"]),
    ("no VOTES", lambda: META + PROJECTS, *MISSING, ["Section: VOTES"], ["Adran: VOTES"]),
    ("VOTES before PROJECTS", lambda: META + VOTES + PROJECTS, *ORDER, ["Line: 8", "Section: VOTES"], ["Llinell: 8"]),
    ("PROJECTS before META", lambda: PROJECTS + META + VOTES, *ORDER, ["Line: 1", "Section: PROJECTS"],
     ["Adran: PROJECTS"]),
    ("a ragged row", lambda: GOOD.replace("b;400;Llyfrgell", "b;400"),
     "Mae gan y rhes lai o golofnau na’r rhes pennawd.",
     "The row has fewer columns than the header row.", ["Line: 11", "Limit: 3", "In the file: 2"], ["Llinell: 11"]),
    ("a quote left open", lambda: GOOD.replace("Parc", '"Parc'),
     "Nid yw maes rhwng dyfynodau wedi’i gau’n iawn: gwiriwch y dyfynodau.",
     "A quoted field is not closed properly: check the quotation marks.", ["Line: 10"], ["Llinell: 10"]),
    ("a NUL byte", lambda: GOOD.replace("Parc", "Pa\x00rc"), "Mae nod NUL yn y ffeil, felly nid yw’n ffeil destun.",
     "The file holds a NUL character, so it is not a text file.", ["Line: 10"], ["Llinell: 10"]),
    ("bytes that are not UTF-8", lambda: GOOD.encode().replace(b"Parc", b"P\xffrc"),
     "Nid yw’r ffeil yn destun UTF-8. Cadwch hi eto fel UTF-8.",
     "The file is not UTF-8 text. Save it again as UTF-8.",
     ["Line: 10"], ["Llinell: 10"]),
    ("BOM, CRLF and a bad cost", lambda: "\ufeff" + GOOD.replace("a;600", "a;6OO").replace("\n", "\r\n"),
     "Nid yw’r gwerth yn rhif.", "The value is not a number.", ["Line: 10", "Value: 6OO"], ["Gwerth: 6OO"]),
]
# Files the old code crashed on that are fine: they import, and the pot reads them so.
ACCEPTED = {
    "max_length 2.0": {"ballot_type": "approval", "max_choices": 2},
    "max_length None": {"ballot_type": "approval", "max_choices": 2},
    "max_sum_cost None, ballot over the budget": {"ballot_type": "approval", "budget_pence": 1000},
    "max_sum_points 5.0": {"ballot_type": "points", "points_total": 5},
    "points, all zero": {"ballot_type": "points", "points_total": 1},
}


def _rows(app) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    from engage.audit.models import AuditEntry
    from engage.ballots.models import BoxBallot, Pot, Project, Receipt, RollEntry
    from engage.extensions import db

    with app.app_context():
        found = tuple(db.session.scalar(select(func.count()).select_from(m))
                      for m in (Pot, Project, RollEntry, BoxBallot, Receipt, AuditEntry))
        db.session.remove()
    return found


@pytest.fixture
def pb_import(app, make_org, tmp_path):  # type: ignore[no-untyped-def]
    """``pb_import(content, *options)`` → the CLI's result, after checking it wrote nothing on failure."""
    make_org("gwynedd")
    runner = app.test_cli_runner()

    def run(content: str | bytes, *options: str):  # type: ignore[no-untyped-def]
        path = tmp_path / "crafted.pb"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        before = _rows(app)
        result = runner.invoke(args=["pb", "import", str(path), "--org", "gwynedd", *options])
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code != 0:
            assert _rows(app) == before, "a refused file wrote to the database"
        return result
    return run


def _refused(result, welsh: str, english: str, en_lines: list[str],  # type: ignore[no-untyped-def]
             cy_lines: list[str]) -> None:
    out = result.output
    assert result.exit_code == 2, out
    cy_at = out.find("Gwall: ni chafodd y ffeil ei mewnforio, ac ni newidiwyd dim.")
    en_at = out.find("Error: the file was not imported, and nothing was changed.")
    assert 0 <= cy_at < en_at, f"Welsh first, then English: {out[:500]}"
    cy, en = out[cy_at:en_at], out[en_at:]
    assert welsh in cy and english in en
    for line in cy_lines:
        assert line in cy.splitlines(), line
    for line in en_lines:
        assert line in en.splitlines(), line


@pytest.mark.parametrize(("name", "content", "welsh", "english", "en_lines", "cy_lines"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_crafted_file_is_refused_in_both_languages_and_writes_nothing(app, pb_import, name, content, welsh,
                                                                         english, en_lines, cy_lines):
    result = pb_import(content())
    if name not in ACCEPTED:
        _refused(result, welsh, english, en_lines, cy_lines)
        return
    from engage.ballots.models import Pot
    from engage.extensions import db

    assert result.exit_code == 0, result.output
    with app.app_context():
        pot = db.session.get(Pot, int(result.output.strip().splitlines()[-1]))
        assert {key: getattr(pot, key) for key in ACCEPTED[name]} == ACCEPTED[name]


def test_what_fits_exactly_is_imported(app, pb_import):
    """200 Welsh characters fill VARCHAR(200) on PostgreSQL (it counts characters, not bytes)."""
    from engage.ballots.models import Pot
    from engage.extensions import db

    name = "Ŵ" * 200
    result = pb_import("\ufeff" + GOOD.replace("Parc", name).replace("\n", "\r\n"), "--title", "ŷ" * 200)
    assert result.exit_code == 0, result.output
    with app.app_context():
        pot = db.session.get(Pot, int(result.output.strip().splitlines()[-1]))
        assert pot.title_cy == "ŷ" * 200 and pot.projects[0].title_cy == name and pot.max_choices == 2


def test_a_title_too_long_is_refused(pb_import):
    _refused(pb_import(GOOD, "--title", "T" * 201), "Mae teitl y gronfa", "The fund’s title",
             ["Field: --title", "In the file: 201"], ["Maes: --title"])


def test_every_reason_the_reader_gives_has_words_in_both_languages(app):
    """Every code the reader (engage/tally/pabulib.py and the checks it shares with votes.py, in
    checks.py) raises has a sentence in labels.PABULIB_ERRORS, translated."""
    from engage.ballots import labels

    modules = ("pabulib.py", "checks.py", "votes.py")
    trees = [ast.parse((ROOT / "engage" / "tally" / name).read_text(encoding="utf-8")) for name in modules]
    # _broken passes on the code its callers name.
    parts = [node for tree in trees for node in tree.body if getattr(node, "name", None) != "_broken"]
    named = [node.args[1] for part in parts for node in ast.walk(part) if isinstance(node, ast.Call)
             and getattr(node.func, "id", None) in ("PabulibError", "_broken")]
    assert all(isinstance(code, ast.Constant) for code in named), "name each code as a string literal"
    codes = {code.value for code in named}
    assert len(codes) > 20
    assert codes - set(labels.PABULIB_ERRORS) == set()
    with (ROOT / "translations/cy/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    words = [*labels.PABULIB_ERRORS.values(), *(label for _, label in labels.IMPORT_DETAILS)]
    assert [w._args[0] for w in words if not catalogue.get(w._args[0])] == []


def test_a_file_larger_than_a_chunk_is_written_whole_and_a_late_error_writes_nothing(app, pb_import):
    """The import writes ballots in chunks as it reads them: every ballot arrives, in one transaction,
    and an error on the last line still leaves nothing behind."""
    import json
    from collections import Counter

    from engage.ballots import pabulib
    from engage.ballots.models import BoxBallot, Pot
    from engage.extensions import db

    n = pabulib.CHUNK * 2 + 7
    votes = ["1", "2", "1,2", "3", "2,3"]
    body = ("META\nkey;value\ndescription;Chunks\nnum_projects;3\nnum_votes;%d\nbudget;1000\nvote_type;approval\n"
            "PROJECTS\nproject_id;cost;name\n1;100;Un\n2;200;Dau\n3;300;Tri\nVOTES\nvoter_id;vote\n" % n)
    body += "".join(f"{i};{votes[i % 5]}\n" for i in range(n))
    result = pb_import(body)
    assert result.exit_code == 0, result.output
    with app.app_context():
        pot = db.session.get(Pot, int(result.output.strip().splitlines()[-1]))
        names = {str(p.id): p.title_en for p in pot.projects}
        box = Counter(tuple(sorted(names[k] for k in json.loads(c)))
                      for c in db.session.scalars(select(BoxBallot.choices).where(BoxBallot.pot_id == pot.id)))
    ids = {"1": "Un", "2": "Dau", "3": "Tri"}
    assert box == Counter(tuple(sorted(ids[p] for p in votes[i % 5].split(","))) for i in range(n))
    # Written in random key order by one transaction, the box is sealed as it stands: the scheduler
    # must not rewrite it (on a 2-million-vote file, a minute of the database's time under the pot's
    # lock, for nothing).
    from engage.ballots import seal

    with app.app_context():
        assert db.session.get(Pot, pot.id).sealed_ballots == n
        assert not seal.box_unsealed(pot.id) and pot.id not in [p.id for p in seal.unsealed_pots()]
    late = pb_import(body + f"{n};4\n")  # an unknown project on the very last line: nothing kept (pb_import checks)
    _refused(late, "", "A vote names a project that is not in PROJECTS.", [f"Line: {n + 15}"], [])


def test_the_reader_hands_ballots_on_as_it_reads(app):
    from engage.tally import parse_pabulib

    text = (Path(__file__).parent / "data" / "pabulib" / "Netherlands_Amsterdam_179.pb").read_text()
    whole = parse_pabulib(text)
    handed, started = [], []
    streamed = parse_pabulib(text, on_votes=lambda e: started.append(len(e.projects)), sink=handed.append)
    assert streamed.ballots == () and tuple(handed) == whole.ballots and started == [len(whole.projects)]
