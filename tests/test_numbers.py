"""Number parsing: real tokens from the sheets, and properties over generated ones."""

from hypothesis import given
from hypothesis import strategies as st

from helpers.core.numbers import COUNTERS, MULTIPLIERS, find_quantities, is_no_value, parse_quantity, to_number
from helpers.core.text import nfkc


def test_thousands_separator_and_unit():
    q = parse_quantity("1,442人")
    assert (q.value, q.unit) == (1442.0, "人")


def test_full_width_digits():
    q = parse_quantity("１，２３４件")
    assert (q.value, q.unit) == (1234.0, "件")


def test_count_basis_prefix():
    q = parse_quantity("延べ451人")
    assert (q.value, q.count_basis) == (451.0, "延べ")
    assert parse_quantity("累計111人").count_basis == "累計"


def test_bracket_is_a_note_not_part_of_the_value():
    assert parse_quantity("10(5)").value == 10.0
    q = parse_quantity("760 (うち障がい者15)")
    assert q.value == 760.0 and "うち障がい者15" in q.note
    q = parse_quantity("24回 (毎月2回)")
    assert (q.value, q.unit) == (24.0, "回") and "毎月2回" in q.note


def test_multipliers_are_applied_and_noted():
    q = parse_quantity("1,234千円")
    assert (q.value, q.unit) == (1234000.0, "円") and "千円" in q.note
    q = parse_quantity("3割")
    assert (q.value, q.unit) == (30.0, "%")
    assert parse_quantity("計約 13万円").value == 130000.0
    assert "約" in parse_quantity("計約 13万円").note


def test_bare_man_without_unit_is_refused():
    assert parse_quantity("13万") is None


def test_two_counts_in_one_token_are_refused():
    assert parse_quantity("30件1,249人") is None
    assert parse_quantity("21地区23拠点") is None


def test_find_quantities_splits_double_counts():
    assert [(q.value, q.unit) for _, q in find_quantities("21地区23拠点")] == [(21.0, "地区"), (23.0, "拠点")]
    assert [(q.value, q.unit) for _, q in find_quantities("55件2,276人")] == [(55.0, "件"), (2276.0, "人")]


def test_item_marker_does_not_become_a_value():
    assert parse_quantity("④ 4件").value == 4.0


def test_no_value_markers():
    for marker in ("—", "ー", "-", "未集計", "中止"):
        q = parse_quantity(marker)
        assert q.value is None and q.note == nfkc(marker)
    assert not is_no_value("0")
    assert parse_quantity("0").value == 0.0


def test_percent_and_decimal():
    q = parse_quantity("30.7%")
    assert (q.value, q.unit) == (30.7, "%")


def test_to_number_rejects_text():
    assert to_number("12人") is None and to_number("1,234") == 1234.0


plain_counters = [c for c in COUNTERS if c not in MULTIPLIERS and nfkc(c) == c]


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(plain_counters), st.booleans())
def test_formatted_integers_round_trip(n, unit, separators):
    token = f"{n:,}{unit}" if separators else f"{n}{unit}"
    q = parse_quantity(token)
    assert q is not None and q.value == float(n) and q.unit == unit


@given(st.integers(min_value=0, max_value=10**6))
def test_full_width_round_trip(n):
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_quantity(full + "人").value == float(n)


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(sorted(MULTIPLIERS)))
def test_multiplier_scales(n, unit):
    factor, new_unit = MULTIPLIERS[unit]
    q = parse_quantity(f"{n}{unit}")
    assert q.value == round(n * factor, 6) and q.unit == new_unit
