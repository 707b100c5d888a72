"""SPC on 1,000,000 measurements in subgroups of 5: an X-bar-R chart with all eight Nelson rules.

Figures, each beside a limit measured in the same run on the same data:

- the service (`qms.services.spc.analyze_chart`, the code the UI, the API and the command
  share) against the bare numpy reduction of the same array into subgroup means and ranges;
- `manage.py spc_analyze FILE --chart xbar_r --json` end to end (a new process on a CSV in a
  temporary folder, JSON parsed back) against a process that only reads the same CSV with
  pandas, and a process that only starts Django (`manage.py version`).

Needs no database. Prints figures, then one JSON line.

    python bench/spc.py [--measurements 1000000] [--subgroup-size 5] [--repeat 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def make_data(measurements: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """In-control normal data with a few shifts and a trend, so every rule has work to do."""
    rng = np.random.default_rng(2024)
    count = measurements // size
    means = np.zeros(count)
    for start in rng.integers(0, count - 50, size=max(count // 2000, 1)):
        means[start : start + 20] += rng.choice([-1.5, 1.5])
    values = 50.0 + np.repeat(means, size) + rng.normal(0.0, 1.0, count * size)
    subgroups = np.repeat(np.arange(1, count + 1), size)
    return subgroups, np.round(values, 4)


def timed(call, repeat: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - started)
    return samples, result


def run_process(args: list[str], output: Path | None = None) -> float:
    started = time.perf_counter()
    with open(output or os.devnull, "w") as sink:
        subprocess.run(args, cwd=ROOT, stdout=sink, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measurements", type=int, default=1_000_000)
    parser.add_argument("--subgroup-size", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    import django

    django.setup()
    from qms.services import spc

    size = options.subgroup_size
    subgroups, values = make_data(options.measurements, size)
    count = subgroups.shape[0] // size
    print(f"{values.shape[0]:,} measurements, {count:,} subgroups of {size}, X-bar-R with rules 1-8")

    first_started = time.perf_counter()
    spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=values)
    first = time.perf_counter() - first_started

    def service():
        return spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=values)

    def bare():
        block = values.reshape(-1, size)
        return block.mean(axis=1), block.max(axis=1) - block.min(axis=1)

    service_samples, result = timed(service, options.repeat)
    json_samples, _ = timed(lambda: orjson.dumps(result.to_dict()), options.repeat)
    bare_samples, _ = timed(bare, options.repeat)
    service_s, bare_s, json_s = min(service_samples), min(bare_samples), min(json_samples)
    print(
        f"service: {service_s:.3f} s (first call {first:.3f} s, with the constants for n={size}); {len(result.violations):,} violations"
    )
    print(f"  bare numpy means and ranges: {bare_s:.4f} s; ratio {service_s / bare_s:.1f}")
    print(f"  result as JSON: {json_s:.3f} s")

    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "measurements.csv"
        with open(csv, "w") as handle:
            handle.write("subgroup,value\n")
            np.savetxt(handle, np.column_stack([subgroups, values]), fmt=["%d", "%.4f"], delimiter=",")
        out = Path(folder) / "result.json"
        command = [
            python,
            "manage.py",
            "spc_analyze",
            str(csv),
            "--chart",
            "xbar_r",
            "--subgroup-size",
            str(size),
            "--json",
        ]
        e2e = [run_process(command, out) for _ in range(options.repeat)]
        answer = json.loads(out.read_text())
        assert len(answer["points"]) == count and answer["violations"] == result.to_dict()["violations"]
        read_only = [
            run_process([python, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]) for _ in range(options.repeat)
        ]
        startup = [run_process([python, "manage.py", "version"]) for _ in range(options.repeat)]
        megabytes = csv.stat().st_size / 1e6
    e2e_s, read_s, startup_s = statistics.median(e2e), statistics.median(read_only), statistics.median(startup)
    print(f"spc_analyze end to end ({megabytes:.1f} MB CSV): median {e2e_s:.3f} s, min {min(e2e):.3f} s")
    print(f"  a process that only reads the CSV with pandas: median {read_s:.3f} s; ratio {e2e_s / read_s:.2f}")
    print(f"  a process that only starts Django (manage.py version): median {startup_s:.3f} s")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    print(
        json.dumps(
            {
                "benchmark": "spc_xbar_r_nelson",
                "measurements": int(values.shape[0]),
                "subgroup_size": size,
                "subgroups": count,
                "violations": len(result.violations),
                "service_seconds": round(service_s, 4),
                "service_first_call_seconds": round(first, 4),
                "bare_numpy_seconds": round(bare_s, 4),
                "service_vs_bare_ratio": round(service_s / bare_s, 2),
                "json_seconds": round(json_s, 4),
                "command_seconds": round(e2e_s, 3),
                "command_min_seconds": round(min(e2e), 3),
                "read_csv_process_seconds": round(read_s, 3),
                "command_vs_read_csv_ratio": round(e2e_s / read_s, 2),
                "django_startup_seconds": round(startup_s, 3),
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
