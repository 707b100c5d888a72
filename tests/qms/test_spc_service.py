"""The SPC service against the textbook cases, and its answers to data it cannot chart."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from core.errors import ValidationFailed
from qms.services import spc
from qms.spc import ATTRIBUTE_CHARTS
from tests.qms.spc_reference import CASE_IDS, CASES, assert_matches


def analyze_case(directory, case):
    return spc.analyze_csv(
        path=directory / "spc" / case["csv"],
        chart=case["chart"],
        phase1=case["phase1"],
        subgroup_size=case.get("subgroup_size"),
        lsl=case.get("lsl"),
        usl=case.get("usl"),
    )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_textbook_case(benchmarks_dir, case):
    result = analyze_case(benchmarks_dir, case)
    data = result.to_dict()
    assert_matches(data, case)
    # plain JSON: no numpy scalars, no NaN
    json.dumps(data, allow_nan=False)


def test_every_chart_kind_has_a_case(benchmarks_dir):  # the cases are read from there
    assert {case["chart"] for case in CASES} == {"xbar_r", "xbar_s", "imr", "p", "np", "c", "u"}


def test_in_memory_data_gives_the_same_chart_as_the_csv(benchmarks_dir):
    frame = pd.read_csv(benchmarks_dir / "spc" / "pistonrings.csv")
    from_csv = spc.analyze_csv(path=benchmarks_dir / "spc" / "pistonrings.csv", chart="xbar_r", phase1=25)
    in_memory = spc.analyze_chart(
        chart="xbar_r", subgroups=frame["subgroup"].tolist(), values=frame["value"].tolist(), phase1=25
    )
    assert in_memory.to_dict() == from_csv.to_dict()


def test_rows_of_a_subgroup_need_not_be_adjacent(benchmarks_dir):
    frame = pd.read_csv(benchmarks_dir / "spc" / "pistonrings.csv")
    shuffled = frame.sample(frac=1.0, random_state=3)
    first_seen = pd.unique(shuffled["subgroup"])
    result = spc.analyze_chart(chart="xbar_r", subgroups=shuffled["subgroup"], values=shuffled["value"])
    assert result.labels.tolist() == first_seen.tolist()
    means = frame.groupby("subgroup")["value"].mean()
    assert result.points == pytest.approx(means.loc[first_seen].to_numpy())


def test_mr_chart_has_no_first_point(benchmarks_dir):
    result = spc.analyze_csv(path=benchmarks_dir / "spc" / "viscosity.csv", chart="imr", phase1=20).to_dict()
    assert result["secondary"]["points"][0] is None
    assert result["secondary"]["points"][1] == pytest.approx(abs(34.40 - 34.05))


def test_capability_with_one_specification_limit(benchmarks_dir):
    both = analyze_case(benchmarks_dir, CASES[0]).capability
    upper = spc.analyze_csv(
        path=benchmarks_dir / "spc" / "pistonrings.csv", chart="xbar_r", phase1=25, usl=74.05
    ).capability
    assert upper.cp is None and upper.pp is None
    assert upper.cpk == pytest.approx((74.05 - both.mean) / (3 * both.sigma_within))
    assert upper.ppk == pytest.approx((74.05 - both.mean) / (3 * both.sigma_overall))


def test_anderson_darling_tells_normal_from_skewed_data():
    rng = np.random.default_rng(11)
    subgroups = np.repeat(np.arange(40), 5)
    normal = spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=rng.normal(10, 1, 200), lsl=6, usl=14)
    skewed = spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=rng.exponential(1, 200), lsl=0, usl=8)
    assert normal.capability.normality.p_value > 0.05
    assert skewed.capability.normality.p_value < 0.001
    assert not skewed.capability.normality.normal


def test_xbar_r_with_varying_subgroup_sizes_zones_each_subgroup_by_its_own_sigma():
    values = [10, 12, 11, 13, 9, 11, 10, 12, 11, 10, 11, 12]
    subgroups = [1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]
    result = spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=values)
    sizes = np.array([2, 3, 4, 3])
    assert result.sizes.tolist() == sizes.tolist()
    data = result.to_dict()
    assert isinstance(data["ucl"], list) and isinstance(data["secondary"]["center"], list)
    sigma = result.sigma * np.sqrt(sizes)
    assert np.allclose(sigma, sigma[0])  # one process sigma ...
    assert result.ucl - result.center == pytest.approx(3 * sigma[0] / np.sqrt(sizes))  # ... zoned per subgroup
    assert result.center[0] == pytest.approx(np.mean(values))  # grand mean of the observations


def test_attribute_limits_never_go_below_zero_or_above_one():
    result = spc.analyze_chart(chart="p", subgroups=[1, 2, 3], counts=[0, 1, 0], sizes=[5, 5, 5])
    assert (result.lcl >= 0).all() and (result.ucl <= 1).all()


def test_a_chart_with_no_variation_in_phase_one_still_answers():
    result = spc.analyze_chart(chart="imr", subgroups=[1, 2, 3, 4], values=[5.0, 5.0, 5.0, 6.0], phase1=3).to_dict()
    assert result["ucl"] == result["lcl"] == 5.0
    assert {"rule": 1, "subgroup": 4} in result["violations"]


# --- bad input --------------------------------------------------------------------------------


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def refusal(path, **options):
    options.setdefault("chart", "xbar_r")
    with pytest.raises(ValidationFailed) as caught:
        spc.analyze_csv(path=path, **options)
    return caught.value


def test_missing_column_is_named(tmp_path):
    error = refusal(write(tmp_path, "subgroup,measurement\n1,2\n1,3\n"))
    assert "value" in str(error.message) and error.field == "value"


def test_text_in_a_numeric_column_names_the_line(tmp_path):
    error = refusal(write(tmp_path, "subgroup,value\n1,2\n1,3\n2,abc\n2,4\n"))
    assert "line 4" in str(error.message) and "abc" in str(error.message)
    assert error.field == "value"


def test_text_in_an_attribute_column_names_the_line(tmp_path):
    error = refusal(write(tmp_path, "subgroup,count,size\n1,2,50\n2,x,50\n"), chart="p")
    assert "line 3" in str(error.message) and error.field == "count"


def test_empty_value_names_the_line(tmp_path):
    error = refusal(write(tmp_path, "subgroup,value\n1,2\n1,\n"))
    assert "line 3" in str(error.message)


def test_decimal_comma_names_the_line(tmp_path):
    error = refusal(write(tmp_path, "subgroup,value\n1,2.5\n1,74,03\n"))
    assert "Line 3" in str(error.message)


def test_subgroup_of_one_for_xbar_r(tmp_path):
    error = refusal(write(tmp_path, "subgroup,value\n1,2\n1,3\n2,4\n3,5\n3,6\n"))
    assert "Subgroup 2" in str(error.message) and "line 4" in str(error.message)


@pytest.mark.parametrize("chart", ["p", "u"])
def test_sample_size_zero(tmp_path, chart):
    error = refusal(write(tmp_path, "subgroup,count,size\n1,2,50\n2,0,0\n3,1,50\n"), chart=chart)
    assert "line 3" in str(error.message) and error.field == "size"


def test_lsl_above_usl(tmp_path, benchmarks_dir):
    error = refusal(benchmarks_dir / "spc" / "pistonrings.csv", lsl=74.05, usl=73.95)
    assert error.field == "lsl" and "74.05" in str(error.message)


@pytest.mark.parametrize(
    ("text", "options", "field"),
    [
        ("subgroup,count,size\n1,60,50\n", {"chart": "p"}, "count"),
        ("subgroup,count,size\n1,-1,50\n", {"chart": "c"}, "count"),
        ("subgroup,count,size\n1,1,1\n2,1,2\n", {"chart": "c"}, "size"),
        ("subgroup,count,size\n1,1,10\n1,2,10\n", {"chart": "u"}, "subgroup"),
        ("subgroup,value\n1,2\n1,3\n", {"chart": "imr"}, "subgroup"),
        ("subgroup,value\n1,2\n1,3\n2,4\n2,5\n", {"phase1": 3}, "phase1"),
        ("subgroup,value\n1,2\n1,3\n2,4\n2,5\n", {"subgroup_size": 5}, "subgroup_size"),
        ("subgroup,value\n1,2\n,3\n", {}, "subgroup"),
        ("subgroup,value\n1,2\n1,inf\n", {}, "value"),
        ("subgroup,count,size\n1,2,10\n", {"chart": "p", "lsl": 1.0}, "lsl"),
        ("subgroup,value\n1,2\n1,3\n", {"rules": [9]}, "rules"),
    ],
)
def test_other_data_that_cannot_be_charted(tmp_path, text, options, field):
    error = refusal(write(tmp_path, text), **options)
    assert error.field == field
    assert str(error.message)


def test_a_missing_file_or_an_empty_one(tmp_path):
    assert refusal(tmp_path / "absent.csv").field == "file"
    assert refusal(write(tmp_path, "")).field == "file"


def test_blank_lines_keep_the_line_numbers_right(tmp_path):
    error = refusal(write(tmp_path, "subgroup,value\n1,2\n\n1,3\n2,oops\n"))
    assert "line 5" in str(error.message)


def test_unknown_chart(tmp_path):
    assert refusal(write(tmp_path, "subgroup,value\n1,2\n"), chart="xbar").field == "chart"


def test_capability_is_none_rather_than_infinite_without_spread():
    result = spc.analyze_chart(chart="xbar_r", subgroups=[1, 1, 2, 2], values=[3, 3, 3, 3], lsl=1, usl=5).to_dict()
    assert result["capability"]["cp"] is None
    assert not any(isinstance(v, float) and math.isinf(v) for v in result["capability"].values() if v is not None)


def test_attribute_charts_take_their_own_columns():
    assert all(spc.COLUMNS[chart] == ("subgroup", "count", "size") for chart in ATTRIBUTE_CHARTS)
