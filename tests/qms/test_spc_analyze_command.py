"""`manage.py spc_analyze`: the textbook cases through --json, the table, and bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.qms.spc_reference import CASE_IDS, CASES, assert_matches

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> str:
    out = StringIO()
    call_command("spc_analyze", *map(str, args), stdout=out)
    return out.getvalue()


def case_arguments(directory, case):
    args = [directory / "spc" / case["csv"], "--chart", case["chart"], "--phase1", case["phase1"]]
    if case.get("subgroup_size"):
        args += ["--subgroup-size", case["subgroup_size"]]
    if "lsl" in case:
        args += ["--lsl", case["lsl"], "--usl", case["usl"]]
    return args


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_textbook_case_as_json(benchmarks_dir, case):
    result = json.loads(run(*case_arguments(benchmarks_dir, case), "--json"))
    assert set(result) == {"chart", "center", "ucl", "lcl", "points", "limits", "secondary", "violations", "capability"}
    assert_matches(result, case)
    for violation in result["violations"]:
        assert set(violation) == {"rule", "subgroup"}
        assert 1 <= violation["rule"] <= 8 and 1 <= violation["subgroup"] <= case["subgroups"]


def test_table_names_the_chart_limits_capability_and_violations(benchmarks_dir):
    text = run(*case_arguments(benchmarks_dir, CASES[0]))
    assert "40 subgroups" in text and "first 25" in text
    assert "74.0012" in text and "74.0143" in text
    assert "Cp 1.70" in text and "Anderson-Darling" in text
    assert "1. One point beyond 3 sigma: 37, 38, 39" in text


def test_rules_option_limits_the_check(benchmarks_dir):
    result = json.loads(run(*case_arguments(benchmarks_dir, CASES[0]), "--rules", "1", "--json"))
    assert {v["rule"] for v in result["violations"]} == {1}


def write(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "args", "says"),
    [
        ("subgroup,amount\n1,2\n", ["--chart", "xbar_r"], "no column value"),
        ("subgroup,value\n1,2\n1,3\n2,abc\n2,3\n", ["--chart", "xbar_r"], "line 4"),
        ("subgroup,value\n1,2\n1,3\n2,4\n", ["--chart", "xbar_r"], "Subgroup 2 has a single value"),
        ("subgroup,count,size\n1,1,10\n2,0,0\n", ["--chart", "p"], "line 3: The sample size must be greater than zero"),
        ("subgroup,count,size\n1,1,10\n2,0,0\n", ["--chart", "u"], "line 3: The sample size must be greater than zero"),
        ("subgroup,value\n1,2\n1,3\n", ["--chart", "xbar_r", "--lsl", "5", "--usl", "1"], "lower specification limit"),
    ],
)
def test_bad_input_is_a_clear_command_error(tmp_path, text, args, says):
    with pytest.raises(CommandError, match=says):
        run(write(tmp_path, text), *args)


def test_bad_input_from_the_shell_exits_non_zero_without_a_traceback(tmp_path):
    path = write(tmp_path, "subgroup,value\n1,2\n1,oops\n")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.test_settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "spc_analyze", str(path), "--chart", "xbar_r", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "line 3" in done.stderr and "oops" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_shell_command_starts_without_the_application(tmp_path):
    """No apps and no database: settings that would refuse to load the project (a database named
    but no SECRET_KEY) don't matter, and the JSON is the same as in-process."""
    path = write(tmp_path, "subgroup,value\n" + "".join(f"{g},{v}\n" for g in range(1, 6) for v in (9.8, 10.1, 10.0)))
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/none"
    done = subprocess.run(
        [sys.executable, "manage.py", "spc_analyze", str(path), "--chart", "xbar_r", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(b"}\n")
    assert json.loads(done.stdout) == json.loads(run(path, "--chart", "xbar_r", "--json"))
