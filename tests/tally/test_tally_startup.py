"""`engage pb tally` starts without the web application; every other command still has it.

Run as real processes (the console script's ``main``), since what matters is what a fresh
interpreter imports. Nothing here is timed: the bench (bench/tally.py --whole-process) is.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ASSEN = ROOT / "tests" / "data" / "pabulib" / "Netherlands_Assen_2024.pb"
WEB = ("flask", "sqlalchemy", "alembic", "flask_babel", "werkzeug", "jinja2")


def engage(*args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the ``engage`` console script's main in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-c", "from engage.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def imported(stderr: str) -> set[str]:
    """The top-level packages named in ``-X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_recount_does_not_import_the_web_app() -> None:
    result = engage("pb", "tally", str(ASSEN), "--rule", "greedy", importtime=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[2] == "winners: 3 9 8 11 2 13 14"
    modules = imported(result.stderr)
    assert "numpy" in modules and "click" in modules  # the check sees imports at all
    assert not modules & set(WEB), modules & set(WEB)


def test_recount_help_needs_neither_web_app_nor_numpy() -> None:
    result = engage("pb", "tally", "--help", importtime=True)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: engage pb tally [OPTIONS] PATH")
    assert not imported(result.stderr) & {*WEB, "numpy"}


def test_recount_errors_as_before(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(ASSEN.read_text(encoding="utf-8-sig").replace("3;7200;", "3;lots;"), encoding="utf-8")
    result = engage("pb", "tally", str(bad))
    assert result.returncode == 2 and result.stdout == f"file: {bad}\n"
    assert "line 20: cost 'lots' is not a number" in result.stderr
    assert engage("pb", "tally", str(ASSEN), "--rule", "nope").returncode == 2  # click's usage error


def test_other_commands_still_have_the_flask_cli() -> None:
    top = engage("--help")
    assert top.returncode == 0, top.stderr[-2000:]
    for command in ("backup", "db", "orgs", "pb", "reports", "translate", "users"):
        assert f"  {command} " in top.stdout
    pb = engage("pb", "--help")
    assert pb.returncode == 0
    for command in ("export", "import", "tally"):
        assert f"  {command} " in pb.stdout
    assert engage("pb", "import", "--help").stdout.startswith("Usage: engage pb import [OPTIONS] PATH")
    assert "flask" in imported(engage("pb", "export", "--help", importtime=True).stderr)
