"""SPC analysis for the UI, the API and `spc_analyze`: one code path from data to chart.

Reading a CSV and checking data at the edge live here; the statistics are in `qms.spc` (plain
numpy/pandas). Data the package refuses comes back as `core.errors.ValidationFailed` with a
translated message naming the CSV line (or the request row) and the field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ValidationFailed
from qms.spc import ATTRIBUTE_CHARTS, CHARTS, ChartResult, SpcDataError, analyze

COLUMNS = dict.fromkeys(("xbar_r", "xbar_s", "imr"), ("subgroup", "value")) | dict.fromkeys(
    ATTRIBUTE_CHARTS, ("subgroup", "count", "size")
)
CHART_LABELS = {
    "xbar_r": "X̄-R",
    "xbar_s": "X̄-S",
    "imr": "I-MR",
    "p": "p",
    "np": "np",
    "c": "c",
    "u": "u",
}

RULE_LABELS = {
    1: gettext_lazy("One point beyond 3 sigma"),
    2: gettext_lazy("Nine points in a row on one side of the centre line"),
    3: gettext_lazy("Six points in a row steadily rising or falling"),
    4: gettext_lazy("Fourteen points in a row alternating up and down"),
    5: gettext_lazy("Two of three points in a row beyond 2 sigma on one side"),
    6: gettext_lazy("Four of five points in a row beyond 1 sigma on one side"),
    7: gettext_lazy("Fifteen points in a row within 1 sigma of the centre line"),
    8: gettext_lazy("Eight points in a row outside 1 sigma on either side"),
}


def _message(error: SpcDataError) -> str:
    """The person-readable text for an SpcDataError (without the row, which the caller adds)."""
    p = error.params
    texts = {
        "not_a_number": lambda: (
            _("“%(value)s” in column %(field)s is not a number.") % {"value": p["value"], "field": error.field}
        ),
        "missing_value": lambda: _("the %(field)s is missing.") % {"field": error.field},
        "not_finite": lambda: _("%(field)s must be a finite number.") % {"field": error.field},
        "missing_subgroup": lambda: _("the subgroup is missing."),
        "no_data": lambda: _("There is no data to chart."),
        "phase1_not_integer": lambda: _("Phase I must be a whole number of subgroups."),
        "phase1_out_of_range": lambda: (
            _(
                "Phase I must be between %(minimum)s and %(maximum)s subgroups (the data has %(maximum)s), not %(value)s."
            )
            % p
        ),
        "lsl_not_below_usl": lambda: (
            _("The lower specification limit (%(lsl)s) must be below the upper one (%(usl)s).") % p
        ),
        "unknown_rule": lambda: _("Nelson rules are numbered 1 to 8, not %(value)s.") % p,
        "unknown_chart": lambda: (
            _("Unknown chart “%(value)s”; choose one of %(charts)s.")
            % {"value": p["value"], "charts": ", ".join(CHARTS)}
        ),
        "length_mismatch": lambda: _("Every row needs a subgroup and its values."),
        "imr_subgroup_size": lambda: (
            _("An I-MR chart takes one value per subgroup; a subgroup size of %(value)s does not apply.") % p
        ),
        "imr_one_value": lambda: (
            _(
                "An I-MR chart takes one value per subgroup, but subgroup %(subgroup)s has %(size)s; use an X̄-R or X̄-S chart."
            )
            % p
        ),
        "subgroup_of_one": lambda: (
            _(
                "Subgroup %(subgroup)s has a single value; the %(chart)s chart needs at least two per subgroup (use I-MR for individual values)."
            )
            % {"subgroup": p["subgroup"], "chart": CHART_LABELS[p["chart"]]}
        ),
        "subgroup_too_large": lambda: (
            _("Subgroup %(subgroup)s has %(size)s values; at most %(maximum)s are supported.") % p
        ),
        "subgroup_size_mismatch": lambda: (
            _("Subgroup %(subgroup)s has %(size)s values, not the %(expected)s of --subgroup-size.") % p
        ),
        "duplicate_subgroup": lambda: (
            _("Subgroup %(subgroup)s appears more than once; attribute data takes one row per subgroup.") % p
        ),
        "negative_count": lambda: _("The count cannot be negative."),
        "size_not_positive": lambda: _("The sample size must be greater than zero."),
        "count_above_size": lambda: _("The count of nonconforming units cannot exceed the sample size."),
        "c_unequal_sizes": lambda: _(
            "A c chart needs the same inspection size for every subgroup; use a u chart when it varies."
        ),
        "spec_on_attribute_chart": lambda: (
            _("Specification limits apply to variables charts, not to a %(chart)s chart.") % p
        ),
        "subgroup_size_on_attribute_chart": lambda: (
            _("A %(chart)s chart takes each sample size from the size column; --subgroup-size does not apply.") % p
        ),
    }
    make = texts.get(error.code)
    return make() if make else _("The data cannot be charted (%(code)s).") % {"code": error.code}


def _refuse(error: SpcDataError, *, where=None) -> ValidationFailed:
    """A ValidationFailed for `error`; `where(row)` names the row ("line 5", "data[3]")."""
    text = _message(error)
    field = error.field
    if error.row is not None and where is not None:
        location = where(error.row)
        text = _("%(location)s: %(message)s") % {"location": location["text"], "message": text}
        if location.get("prefix"):
            field = f"{location['prefix']}.{field}" if field else location["prefix"]
    return ValidationFailed(text, code=f"spc_{error.code}", field=field)


def analyze_chart(
    *,
    chart: str,
    subgroups,
    values=None,
    counts=None,
    sizes=None,
    phase1: int | None = None,
    subgroup_size: int | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    rules=None,
    where=None,
) -> ChartResult:
    """Control chart, Nelson rules and capability for data already in columns."""
    try:
        return analyze(
            chart,
            subgroups=subgroups,
            values=values,
            counts=counts,
            sizes=sizes,
            phase1=phase1,
            subgroup_size=subgroup_size,
            lsl=lsl,
            usl=usl,
            rules_to_check=rules,
        )
    except SpcDataError as error:
        raise _refuse(error, where=where) from error


_TOKENIZE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_chart_csv(*, path, chart: str) -> pd.DataFrame:
    """The columns `chart` needs from the CSV at `path`, with the file's line numbers kept in the
    index (line = index + 2). Refuses a missing file or column with a clear message."""
    if chart not in COLUMNS:
        raise ValidationFailed(
            _("Unknown chart “%(value)s”; choose one of %(charts)s.") % {"value": chart, "charts": ", ".join(CHARTS)},
            field="chart",
        )
    path = Path(path)
    try:
        frame = pd.read_csv(path, skip_blank_lines=False, skipinitialspace=True, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationFailed(_("File %(path)s does not exist.") % {"path": path}, field="file") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise ValidationFailed(_("File %(path)s cannot be read.") % {"path": path}, field="file") from exc
    except pd.errors.EmptyDataError as exc:
        raise ValidationFailed(_("File %(path)s is empty.") % {"path": path}, field="file") from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("File %(path)s is not UTF-8 text.") % {"path": path}, field="file") from exc
    except pd.errors.ParserError as exc:
        found = _TOKENIZE.search(str(exc))
        if found:
            expected, line, saw = found.groups()
            message = _(
                "Line %(line)s has %(saw)s fields where the header has %(expected)s (a decimal comma must be quoted or written as a point)."
            ) % {
                "line": line,
                "saw": saw,
                "expected": expected,
            }
        else:
            message = _("File %(path)s is not a readable CSV file.") % {"path": path}
        raise ValidationFailed(message, field="file") from exc
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    needed = COLUMNS[chart]
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise ValidationFailed(
            _("The CSV has no column %(missing)s; the %(chart)s chart takes the columns %(needed)s (found: %(found)s).")
            % {
                "missing": ", ".join(missing),
                "chart": CHART_LABELS[chart],
                "needed": ",".join(needed),
                "found": ",".join(frame.columns) or "-",
            },
            field=missing[0],
        )
    frame = frame[list(needed)]
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame[~blank]
    return frame


def analyze_csv(
    *,
    path,
    chart: str,
    phase1: int | None = None,
    subgroup_size: int | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    rules=None,
) -> ChartResult:
    """`spc_analyze`: read the CSV (`subgroup,value` or `subgroup,count,size`) and chart it."""
    frame = read_chart_csv(path=path, chart=chart)
    lines = frame.index.to_numpy()

    def where(row: int) -> dict:
        return {"text": _("line %(line)s") % {"line": int(lines[row]) + 2}}

    columns = {"values": frame["value"]} if "value" in frame else {"counts": frame["count"], "sizes": frame["size"]}
    return analyze_chart(
        chart=chart,
        subgroups=frame["subgroup"],
        phase1=phase1,
        subgroup_size=subgroup_size,
        lsl=lsl,
        usl=usl,
        rules=rules,
        where=where,
        **{name: column.to_numpy() for name, column in columns.items()},
    )


def analyze_rows(
    *,
    chart: str,
    data: list[dict],
    phase1: int | None = None,
    subgroup_size: int | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    rules=None,
) -> ChartResult:
    """The API's `spc/analyze/`: the CSV's rows as objects (`{"subgroup", "value"}` or
    `{"subgroup", "count", "size"}`); a refused row is named `data[i]` (0-based)."""
    needed = COLUMNS.get(chart)
    if needed is None:
        raise ValidationFailed(
            _("Unknown chart “%(value)s”; choose one of %(charts)s.") % {"value": chart, "charts": ", ".join(CHARTS)},
            field="chart",
        )
    for index, row in enumerate(data):
        missing = [name for name in needed if name not in row]
        if missing:
            raise ValidationFailed(
                _("data[%(row)s] has no %(field)s; a %(chart)s chart takes %(needed)s.")
                % {"row": index, "field": missing[0], "chart": CHART_LABELS[chart], "needed": ", ".join(needed)},
                field=f"data[{index}].{missing[0]}",
            )
    frame = pd.DataFrame.from_records(data, columns=list(needed))

    def where(row: int) -> dict:
        return {"text": f"data[{row}]", "prefix": f"data[{row}]"}

    columns = (
        {"values": frame["value"].to_numpy()}
        if "value" in needed
        else {"counts": frame["count"].to_numpy(), "sizes": frame["size"].to_numpy()}
    )
    return analyze_chart(
        chart=chart,
        subgroups=frame["subgroup"],
        phase1=phase1,
        subgroup_size=subgroup_size,
        lsl=lsl,
        usl=usl,
        rules=rules,
        where=where,
        **columns,
    )
