"""The scheduling engine against OR-Tools' textbook job-shop model on the shared instances.

For each instance: the best-known makespan, ours (`jssp_solve`'s engine), the textbook CP-SAT
model (intervals, NoOverlap, minimise the makespan, nothing else) run in this same process with
the same time limit and workers, the gap of each to the best known, and seconds. Then the mean
gaps and, last, one JSON line.

    python bench/jssp.py [--instances ft,la01-la40,ta01-ta20] [--time-limit 10] [--workers N]

`--instances` takes names, families (`ft`, `la`) and ranges (`la16-la20`). The issue's figure
is measured at `--time-limit 60`. No database is needed.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.engine import jssp  # noqa: E402

SHARED = Path(os.environ.get("SHARED_BENCHMARKS", ROOT.parent / "shared" / "benchmarks")) / "jssp"
DEFAULT = "ft,la01-la40,ta01-ta20"


def expand(spec: str, known: list[str]) -> list[str]:
    """Instance names from a comma-separated list of names, families and ranges."""
    names: list[str] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if "-" in part:
            first, last = part.split("-", 1)
            family = re.match(r"[a-z]+", first).group(0)
            low, high = int(first[len(family) :]), int(last.lstrip(family))
            width = len(first) - len(family)
            names += [n for n in (f"{family}{i:0{width}d}" for i in range(low, high + 1)) if n in known]
        elif part in known:
            names.append(part)
        else:
            family = [n for n in known if re.fullmatch(rf"{part}\d+", n)]
            if not family:
                raise SystemExit(f"unknown instance or family: {part}")
            names += sorted(family, key=lambda n: int(n[len(part) :]))
    return names


def gap(value, best) -> float | None:
    return None if value is None else round(100.0 * (value - best) / best, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=DEFAULT)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    best_known = json.loads((SHARED / "best_known.json").read_text())
    names = expand(args.instances, sorted(best_known))
    rows = []
    print(f"{len(names)} instances, {args.time_limit} s each, {args.workers} workers; load {os.getloadavg()[0]:.1f}")
    print(
        f"{'instance':10} {'best':>6} {'ours':>6} {'gap%':>6} {'bound':>6} {'s':>6}   {'textbook':>8} {'gap%':>6} {'s':>6}"
    )
    for name in names:
        instance = jssp.parse(SHARED / "instances" / name)
        best = best_known[name]["upper"]
        ours = jssp.solve_instance(instance, time_limit=args.time_limit, workers=args.workers)
        textbook = jssp.solve_textbook(instance, time_limit=args.time_limit, workers=args.workers)
        row = {
            "instance": name,
            "best_known": best,
            "ours": ours["makespan"],
            "ours_bound": ours["lower_bound"],
            "ours_gap": gap(ours["makespan"], best),
            "ours_seconds": ours["seconds"],
            "textbook": textbook["makespan"],
            "textbook_gap": gap(textbook["makespan"], best),
            "textbook_seconds": textbook["seconds"],
            "load": round(os.getloadavg()[0], 1),
        }
        rows.append(row)
        print(
            f"{name:10} {best:6} {ours['makespan']:6} {row['ours_gap']:6.2f} {ours['lower_bound']:6} "
            f"{ours['seconds']:6.1f}   {textbook['makespan'] or 0:8} {row['textbook_gap'] or 0:6.2f} "
            f"{textbook['seconds']:6.1f}",
            flush=True,
        )
    count = max(1, len(rows))
    summary = {
        "bench": "jssp",
        "time_limit": args.time_limit,
        "workers": args.workers,
        "instances": len(rows),
        "mean_gap_ours": round(sum(r["ours_gap"] for r in rows) / count, 3),
        "mean_gap_textbook": round(sum(r["textbook_gap"] or 0 for r in rows) / count, 3),
        "ours_better": sum(1 for r in rows if r["textbook"] is None or r["ours"] < r["textbook"]),
        "equal": sum(1 for r in rows if r["ours"] == r["textbook"]),
        "textbook_better": sum(1 for r in rows if r["textbook"] is not None and r["ours"] > r["textbook"]),
        "rows": rows,
    }
    print(f"mean gap: ours {summary['mean_gap_ours']} %, textbook {summary['mean_gap_textbook']} %")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
