"""Synthetic pabulib files of the size of real elections we do not have offline (deterministic).

    python bench/pbgen.py [SHAPE ...] [--scale 0.1]    # prints the path of each file

The files are written once to a cache folder (``$ENGAGE_BENCH_DATA``, or ``engage-bench-pabulib``
in the temporary folder) and never committed. They are stand-ins of the same size and kind as the
real elections, not copies of them: popularity follows a Zipf-like law, costs a log-uniform one.

Shapes:

* ``wieliczka``: like Wieliczka 2023: 6,586 voters, 64 projects, approval (1 to 10 choices).
* ``lodz``: like Łódź 2022: 90,494 voters, 160 projects, approval (1 to 5 choices).
* ``warszawa``: like a Warsaw citywide vote (Warszawa 2026 is not published yet): 100,000 voters,
  130 projects: 10 districts of 10 projects plus 30 citywide ones; a voter picks 1 to 5 projects of
  their own district and 0 to 3 citywide ones.
* ``big``: 2,000,000 voters (about 25 MB), 20 projects, 1 to 4 choices each.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Bump when the generator changes, so cached files are made again.
VERSION = 1


@dataclass(frozen=True)
class Shape:
    """What one synthetic election looks like."""

    voters: int
    projects: int
    budget: int
    most_choices: int
    districts: int = 0  # 0: one citywide list; else that many districts of 10 projects
    extra_columns: bool = True  # age and sex, as Polish files have


SHAPES = {
    "wieliczka": Shape(6_586, 64, 2_000_000, 10),
    "lodz": Shape(90_494, 160, 12_000_000, 5),
    "warszawa": Shape(100_000, 130, 20_000_000, 5, districts=10),
    "big": Shape(2_000_000, 20, 5_000_000, 4, extra_columns=False),
}


def cache_dir() -> Path:
    """Where generated files are kept."""
    return Path(os.environ.get("ENGAGE_BENCH_DATA") or Path(tempfile.gettempdir()) / "engage-bench-pabulib")


def path_for(name: str, scale: float = 1.0) -> Path:
    """The file for this shape (and scale), made first if it is not in the cache yet."""
    suffix = "" if scale == 1.0 else f"_x{scale:g}"
    path = cache_dir() / f"synthetic_{name}{suffix}_v{VERSION}.pb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        write(SHAPES[name], tmp, scale, seed=sum(map(ord, name)))
        tmp.replace(path)
    return path


def write(shape: Shape, path: Path, scale: float, seed: int) -> None:
    """Write one synthetic election to ``path``."""
    rng = random.Random(seed)
    n_voters = max(10, int(shape.voters * scale))
    ids = [str(i) for i in range(1, shape.projects + 1)]
    # Zipf-like popularity; costs between 1% and 20% of the budget, log-uniform.
    weights = [1 / (rank + 3) ** 0.9 for rank in range(shape.projects)]
    rng.shuffle(weights)
    costs = [round(shape.budget * 10 ** rng.uniform(-2, -0.7), -2) for _ in ids]
    groups = _groups(ids, weights, shape.districts)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("META\nkey;value\ndescription;Synthetic election (bench/pbgen.py)\ncountry;Nowhere\n")
        out.write(f"unit;{path.stem}\nnum_projects;{shape.projects}\nnum_votes;{n_voters}\n")
        out.write(f"budget;{shape.budget}\nvote_type;approval\nrule;equalshares\nmin_length;1\n")
        out.write(f"max_length;{shape.most_choices + (3 if shape.districts else 0)}\ncurrency;PLN\n")
        out.write("PROJECTS\nproject_id;cost;name\n")
        for pid, cost in zip(ids, costs):
            out.write(f"{pid};{int(cost)};Project {pid}\n")
        out.write("VOTES\n" + ("voter_id;vote;age;sex\n" if shape.extra_columns else "voter_id;vote\n"))
        lines = []
        for voter in range(1, n_voters + 1):
            chosen = _choose(rng, groups, shape)
            line = f"{voter};{','.join(chosen)}"
            if shape.extra_columns:
                line += f";{rng.randint(16, 90)};{'MF'[rng.random() < 0.55]}"
            lines.append(line)
            if len(lines) == 10_000:
                out.write("\n".join(lines) + "\n")
                lines = []
        out.write("\n".join(lines) + ("\n" if lines else ""))


def _groups(ids: list[str], weights: list[float], districts: int) -> list[tuple[list[str], list[float]]]:
    """The lists a voter chooses from: one (citywide), or citywide first and then each district's."""
    if not districts:
        return [(ids, weights)]
    city = len(ids) - 10 * districts
    out = [(ids[:city], weights[:city])]
    for d in range(districts):
        part = slice(city + 10 * d, city + 10 * (d + 1))
        out.append((ids[part], weights[part]))
    return out


def _choose(rng: random.Random, groups: list[tuple[list[str], list[float]]], shape: Shape) -> list[str]:
    """One voter's projects: distinct, weighted by popularity."""
    if shape.districts:
        home = groups[1 + rng.randrange(shape.districts)]
        picks = _distinct(rng, *home, 1 + int(rng.random() ** 2 * shape.most_choices))
        return picks + _distinct(rng, *groups[0], int(rng.random() * 4))
    k = 1 + int(rng.random() ** 2 * shape.most_choices)
    return _distinct(rng, *groups[0], k)


def _distinct(rng: random.Random, ids: list[str], weights: list[float], k: int) -> list[str]:
    chosen: dict[str, None] = {}
    for _ in range(4 * k):
        if len(chosen) == k:
            break
        chosen.setdefault(rng.choices(ids, weights)[0], None)
    return list(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shapes", nargs="*", metavar="SHAPE", help=", ".join(SHAPES) + " (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the voters (for quick runs)")
    args = parser.parse_args()
    for name in args.shapes or SHAPES:
        if name not in SHAPES:
            parser.error(f"unknown shape {name!r}")
        print(path_for(name, args.scale))


if __name__ == "__main__":
    main()
