"""`jssp_solve` on the shared OR-Library instances and on bad files."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduling.engine.jssp import parse

from .validity import assert_valid_jssp


def run(path, *args) -> str:
    out = StringIO()
    call_command("jssp_solve", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "optimum"), [("ft06", 55), ("la01", 666), ("la05", 593)])
def test_json_reaches_the_optimum(benchmarks_dir, name, optimum):
    path = benchmarks_dir / "jssp" / "instances" / name
    result = json.loads(run(path, "--time-limit", "20", "--json"))
    assert set(result) == {"instance", "makespan", "lower_bound", "status", "seconds", "schedule"}
    assert result["instance"] == name
    assert result["makespan"] == optimum
    assert result["lower_bound"] == optimum
    assert result["status"] == "OPTIMAL"
    assert isinstance(result["seconds"], float)
    assert_valid_jssp(parse(path).jobs, result["schedule"], result["makespan"])


def test_the_bound_is_at_least_the_trivial_one(benchmarks_dir):
    path = benchmarks_dir / "jssp" / "instances" / "ft10"
    known = json.loads((benchmarks_dir / "jssp" / "best_known.json").read_text())["ft10"]
    result = json.loads(run(path, "--time-limit", "2", "--json"))
    assert known["trivial_lower_bound"] <= result["lower_bound"] <= known["lower"]
    assert result["makespan"] >= known["upper"]
    assert result["status"] == ("OPTIMAL" if result["makespan"] == result["lower_bound"] else "FEASIBLE")
    assert_valid_jssp(parse(path).jobs, result["schedule"], result["makespan"])


def test_plain_output_names_the_makespan(benchmarks_dir):
    text = run(benchmarks_dir / "jssp" / "instances" / "ft06", "--time-limit", "10")
    assert text.startswith("ft06: makespan 55, lower bound 55")


def test_a_file_that_is_not_an_instance_is_refused(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("2 2\n0 1 1 2\n")
    with pytest.raises(CommandError, match="2 jobs announced, 1 job lines found"):
        run(bad, "--time-limit", "1")
    bad.write_text("1 2\n0 1 5 2\n")
    with pytest.raises(CommandError, match="uses machine 5, outside 0-1"):
        run(bad, "--time-limit", "1")
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "missing", "--time-limit", "1")
