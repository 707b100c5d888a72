"""ANSI/ASQ Z1.4 (ISO 2859-1) single sampling for normal inspection, with the tables in code.

`z14_single_sampling(lot_size=, aql=, level=)` looks up the sample-size code letter (Table I),
then the plan for that letter and AQL in Table II-A, following the table's arrows: ↓ use the
first plan below (a larger sample), ↑ the first plan above (a smaller one); the sample size is
the one of the row where the plan is found. When the sample is as large as the lot, every unit
is inspected.

Tightened and reduced inspection (Tables II-B, II-C) and the switching rules are not covered.
No Django here, so the tables can be checked on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# Table I: lot size (upper bound of the range) -> code letter for S-1, S-2, S-3, S-4, I, II, III.
CODE_LETTERS = [
    (8, "A A A A A A B"),
    (15, "A A A A A B C"),
    (25, "A A B B B C D"),
    (50, "A B B C C D E"),
    (90, "B B C C C E F"),
    (150, "B B C D D F G"),
    (280, "B C D E E G H"),
    (500, "B C D E F H J"),
    (1200, "C C E F G J K"),
    (3200, "C D E G H K L"),
    (10000, "C D F G J L M"),
    (35000, "C D F H K M N"),
    (150000, "D E G J L N P"),
    (500000, "D E G J M P Q"),
    (None, "D E H K N Q R"),
]

SAMPLE_SIZES = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50,
    "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip

AQLS = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5", "2.5",
    "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000",
)  # fmt: skip

# Table II-A, normal inspection: one row per code letter, one cell per AQL above ("Ac/Re").
PLANS = {
    "A": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↓ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ↑",
    "D": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ↑ ↑",
    "E": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ↑ ↑ ↑",
    "F": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑",
    "G": "↓ ↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "H": "↓ ↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "J": "↓ ↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "K": "↓ ↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "L": "↓ ↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "M": "↓ ↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "N": "↓ ↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "P": "↓ 0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "Q": "0/1 ↑ ↓ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
    "R": "↑ ↑ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑ ↑",
}
LETTERS = tuple(PLANS)


class SamplingError(ValueError):
    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True)
class SamplingPlan:
    code_letter: str
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool = False


def normalise_aql(aql) -> str:
    """The table's spelling of an AQL ("0.65", "10"), or SamplingError for one not in the table."""
    try:
        wanted = Decimal(str(aql))
    except (InvalidOperation, ValueError) as exc:
        raise SamplingError("unknown_aql", aql=str(aql)) from exc
    for column in AQLS:
        if Decimal(column) == wanted:
            return column
    raise SamplingError("unknown_aql", aql=str(aql))


def code_letter(*, lot_size: int, level: str) -> str:
    """Table I: the sample-size code letter for a lot size and inspection level."""
    if level not in LEVELS:
        raise SamplingError("unknown_level", level=str(level))
    if isinstance(lot_size, bool) or int(lot_size) != lot_size or lot_size < 2:
        raise SamplingError("lot_size", lot_size=lot_size)
    column = LEVELS.index(level)
    for upper, letters in CODE_LETTERS:
        if upper is None or lot_size <= upper:
            return letters.split()[column]
    raise AssertionError("the last row of Table I has no upper bound")


def plan_for_letter(letter: str, aql) -> SamplingPlan:
    """Table II-A: the plan for a code letter and AQL, following the arrows."""
    column = AQLS.index(normalise_aql(aql))
    row = LETTERS.index(letter)
    while True:
        cell = PLANS[LETTERS[row]].split()[column]
        if cell == "↓":
            row += 1
        elif cell == "↑":
            row -= 1
        else:
            accept, reject = (int(part) for part in cell.split("/"))
            found = LETTERS[row]
            return SamplingPlan(code_letter=found, sample_size=SAMPLE_SIZES[found], accept=accept, reject=reject)


def z14_single_sampling(*, lot_size: int, aql, level: str = "II") -> SamplingPlan:
    """Sample size and accept/reject numbers for a lot under normal inspection."""
    plan = plan_for_letter(code_letter(lot_size=lot_size, level=level), aql)
    if plan.sample_size >= lot_size:
        return SamplingPlan(plan.code_letter, int(lot_size), plan.accept, plan.reject, full_inspection=True)
    return plan
