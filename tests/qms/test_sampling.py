"""ANSI/ASQ Z1.4 single sampling, normal inspection: the tables in code against known values."""

import pytest

from qms import sampling


@pytest.mark.parametrize(
    ("lot_size", "level", "letter"),
    [
        (2, "II", "A"),
        (8, "III", "B"),
        (50, "I", "C"),
        (91, "II", "F"),
        (500, "II", "H"),
        (501, "II", "J"),
        (1000, "II", "J"),
        (2000, "II", "K"),
        (5000, "II", "L"),
        (10001, "II", "M"),
        (100000, "II", "N"),
        (100000, "S-4", "J"),
        (20000, "S-4", "H"),
        (35001, "S-1", "D"),
        (1000000, "III", "R"),
        (1000000, "S-2", "E"),
    ],
)
def test_code_letter_table(lot_size, level, letter):
    assert sampling.code_letter(lot_size=lot_size, level=level) == letter


@pytest.mark.parametrize(
    ("letter", "aql", "plan"),
    [
        ("K", "0.65", ("K", 125, 2, 3)),
        ("H", "1.0", ("H", 50, 1, 2)),
        ("H", "2.5", ("H", 50, 3, 4)),
        ("H", "4.0", ("H", 50, 5, 6)),
        ("J", "1.0", ("J", 80, 2, 3)),
        ("L", "1.0", ("L", 200, 5, 6)),
        ("M", "0.65", ("M", 315, 5, 6)),
        ("G", "1.5", ("G", 32, 1, 2)),
        ("G", "2.5", ("G", 32, 2, 3)),
        ("F", "0.65", ("F", 20, 0, 1)),
        ("A", "6.5", ("A", 2, 0, 1)),
        ("E", "4.0", ("E", 13, 1, 2)),
        ("N", "0.40", ("N", 500, 5, 6)),
        ("Q", "0.010", ("Q", 1250, 0, 1)),
    ],
)
def test_plans_of_table_two_a(letter, aql, plan):
    found = sampling.plan_for_letter(letter, aql)
    assert (found.code_letter, found.sample_size, found.accept, found.reject) == plan


@pytest.mark.parametrize(
    ("letter", "aql", "plan"),
    [
        ("G", "0.65", ("F", 20, 0, 1)),  # ↑: the plan above, a smaller sample
        ("E", "2.5", ("F", 20, 1, 2)),  # ↓: the plan below, a larger sample
        ("A", "0.10", ("K", 125, 0, 1)),  # a long way down the arrows
        ("L", "10", ("K", 125, 21, 22)),  # the largest acceptance number for 10 %
    ],
)
def test_arrows_lead_to_the_first_plan_in_their_direction(letter, aql, plan):
    found = sampling.plan_for_letter(letter, aql)
    assert (found.code_letter, found.sample_size, found.accept, found.reject) == plan


def test_every_cell_resolves_to_a_plan_with_reject_one_above_accept():
    for letter in sampling.LETTERS:
        assert len(sampling.PLANS[letter].split()) == len(sampling.AQLS)
        for aql in sampling.AQLS:
            plan = sampling.plan_for_letter(letter, aql)
            assert plan.reject == plan.accept + 1
            assert plan.sample_size == sampling.SAMPLE_SIZES[plan.code_letter]


def test_a_looser_aql_never_accepts_fewer_for_the_same_letter():
    for letter in sampling.LETTERS:
        ratios = [
            sampling.plan_for_letter(letter, aql).accept / sampling.plan_for_letter(letter, aql).sample_size
            for aql in sampling.AQLS
        ]
        assert ratios == sorted(ratios), letter


def test_sample_larger_than_the_lot_means_every_unit():
    plan = sampling.z14_single_sampling(lot_size=10, aql="0.10", level="II")
    assert plan.full_inspection and plan.sample_size == 10


def test_aql_may_be_given_as_a_number():
    assert sampling.z14_single_sampling(lot_size=2000, aql=0.65) == sampling.z14_single_sampling(
        lot_size=2000, aql="0.65", level="II"
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"lot_size": 100, "aql": "0.3", "level": "II"}, "unknown_aql"),
        ({"lot_size": 100, "aql": "x", "level": "II"}, "unknown_aql"),
        ({"lot_size": 100, "aql": "1.0", "level": "IV"}, "unknown_level"),
        ({"lot_size": 1, "aql": "1.0", "level": "II"}, "lot_size"),
    ],
)
def test_values_outside_the_tables_are_refused(kwargs, code):
    with pytest.raises(sampling.SamplingError) as caught:
        sampling.z14_single_sampling(**kwargs)
    assert caught.value.code == code
