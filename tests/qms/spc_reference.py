"""The textbook cases of ../shared/benchmarks/spc and how to compare a result with them.

The expected values use Montgomery's tabulated factors; we compute the factors exactly, so a
limit is compared with a tolerance of 1e-3 of its distance from the centre (the README's rule),
capability indices with a relative tolerance of 1e-3.
"""

import json

import pytest

from tests.conftest import SHARED_BENCHMARKS

CASES_FILE = SHARED_BENCHMARKS / "spc" / "cases.json"
CASES = json.loads(CASES_FILE.read_text()) if CASES_FILE.is_file() else []
CASE_IDS = [case["name"] for case in CASES]


def per_subgroup(value, count):
    return list(value) if isinstance(value, list) else [value] * count


def assert_matches(result: dict, case: dict) -> None:
    """`result` is the `spc_analyze --json` object for `case`."""
    expected = case["expected"]
    count = case["subgroups"]
    assert result["chart"] == case["chart"]
    assert len(result["points"]) == count
    assert len(result["limits"]) == count

    centres = per_subgroup(expected["center"], count)
    ucls = per_subgroup(expected["ucl"], count)
    lcls = per_subgroup(expected["lcl"], count)
    got_centres = per_subgroup(result["center"], count)
    for i in range(count):
        scale = abs(ucls[i] - centres[i])
        tolerance = 1e-3 * scale
        assert got_centres[i] == pytest.approx(centres[i], abs=max(tolerance, 1e-6 * abs(centres[i]))), (
            f"centre {i + 1}"
        )
        assert result["limits"][i]["ucl"] == pytest.approx(ucls[i], abs=tolerance), f"UCL of subgroup {i + 1}"
        assert result["limits"][i]["lcl"] == pytest.approx(lcls[i], abs=tolerance), f"LCL of subgroup {i + 1}"
    if not isinstance(expected["ucl"], list):
        assert result["ucl"] == pytest.approx(expected["ucl"], abs=1e-3 * abs(expected["ucl"] - expected["center"]))
        assert result["lcl"] == pytest.approx(expected["lcl"], abs=1e-3 * abs(expected["ucl"] - expected["center"]))

    rule1 = [v["subgroup"] for v in result["violations"] if v["rule"] == 1]
    assert rule1 == expected["rule1"]

    if expected.get("secondary") is None:
        assert result["secondary"] is None
    else:
        secondary = expected["secondary"]
        scale = abs(secondary["ucl"] - secondary["center"])
        for key in ("center", "ucl", "lcl"):
            assert result["secondary"][key] == pytest.approx(secondary[key], abs=1e-3 * scale), f"secondary {key}"
        assert len(result["secondary"]["points"]) == count

    if "capability" in expected:
        for key, value in expected["capability"].items():
            assert result["capability"][key] == pytest.approx(value, rel=1e-3), key
    else:
        assert result["capability"] is None
