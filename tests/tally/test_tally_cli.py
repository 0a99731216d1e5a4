"""`engage pb tally`, run against the click group directly (no Flask app needed)."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engage.tally.cli import pb_cli

ASSEN = Path(__file__).resolve().parent.parent / "data" / "pabulib" / "Netherlands_Assen_2024.pb"


def test_tally_prints_winners_cost_and_timings() -> None:
    result = CliRunner().invoke(pb_cli, ["tally", str(ASSEN), "--rule", "mes-add1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"file: {ASSEN}"  # printed at once, before the file is read
    assert lines[2] == "winners: 3 9 11 2 13 14 5 6 12"
    assert lines[3] == "total cost: 76700 of 100000 EUR"
    assert "its supporters' remaining shares" in result.stdout
    assert lines[-1].startswith("time: read ")


def test_tally_json() -> None:
    result = CliRunner().invoke(pb_cli, ["tally", str(ASSEN), "--rule", "greedy", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["rule"] == "greedy"
    assert data["selected"] == ["3", "9", "8", "11", "2", "13", "14"]
    assert data["total_cost"] == sum(data["explanations"][p]["cost"] for p in data["selected"])
    assert data["explanations"]["1"]["reason"] == "did_not_fit"
    assert data["explanations"]["1"]["money_left"] == 100000 - 93200


def test_min_votes_option() -> None:
    result = CliRunner().invoke(pb_cli, ["tally", str(ASSEN), "--rule", "greedy", "--min-votes", "24", "--json"])
    data = json.loads(result.stdout)
    assert data["selected"] == ["3", "9", "8", "11", "2"]  # 11 and 2 tie on 24: "11" < "2"
    assert data["explanations"]["13"]["reason"] == "below_threshold"


def test_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(ASSEN.read_text(encoding="utf-8-sig").replace("3;7200;", "3;lots;"), encoding="utf-8")
    result = CliRunner().invoke(pb_cli, ["tally", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == f"file: {bad}\n"  # the line printed at the start; nothing more
    assert result.stderr.count("\n") == 1
    assert "line 20: cost 'lots' is not a number" in result.stderr
    missing = CliRunner().invoke(pb_cli, ["tally", str(tmp_path / "nope.pb")])
    assert missing.exit_code == 2 and missing.stderr.startswith("error: ")


def test_an_unreadable_threshold_is_a_one_line_error_not_a_crash(tmp_path: Path) -> None:
    """min_project_score_threshold "abc" (or "nan", "1e400") was read only when counting: the import
    refused it on its own, but `engage pb tally` ended in a traceback. The reader refuses it, naming
    its META line, for both."""
    text = ASSEN.read_text(encoding="utf-8-sig")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("budget;"))
    for bad in ("abc", "nan", "1e400"):
        path = tmp_path / f"{bad}.pb"
        path.write_text(text.replace("budget;", f"min_project_score_threshold;{bad}\nbudget;", 1), encoding="utf-8")
        result = CliRunner().invoke(pb_cli, ["tally", str(path)])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        assert f"line {line}: min_project_score_threshold '{bad}' is not a number" in result.stderr
