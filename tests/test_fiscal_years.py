"""Fiscal-year labels in the sheets' own spellings, and era arithmetic over every year."""

from hypothesis import given
from hypothesis import strategies as st

from helpers.core.fiscal_years import era_to_gregorian, parse_fiscal_year, parse_fiscal_years


def test_labels_from_the_sheets():
    assert parse_fiscal_year("R2 策定時") == 2020
    assert parse_fiscal_year("R4中間年") == 2022
    assert parse_fiscal_year("■令和 3 年度実績") == 2021
    assert parse_fiscal_year("令和4年度予定") == 2022
    assert parse_fiscal_year("平成29年度") == 2017
    assert parse_fiscal_year("令和元年度") == 2019
    assert parse_fiscal_year("H32(2020) 250人") == 2020
    assert parse_fiscal_year("H32 (2020)") == 2020


def test_bare_year_column_needs_an_era():
    assert parse_fiscal_year("3") is None
    assert parse_fiscal_year("3", default_era="令和") == 2021


def test_two_years_in_one_label():
    assert parse_fiscal_years("令和2年度・令和3年度 21地区23拠点") == [2020, 2021]


def test_words_are_not_years():
    assert parse_fiscal_year("備考 施策の変更等") is None
    assert parse_fiscal_year("R4以降見直しあり") == 2022


@given(st.integers(min_value=1, max_value=60))
def test_reiwa(n):
    assert parse_fiscal_year(f"令和{n}年度") == 2018 + n
    assert parse_fiscal_year(f"R{n}") == 2018 + n


@given(st.integers(min_value=1, max_value=31))
def test_heisei_full_width(n):
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_fiscal_year(f"平成{full}年度") == 1988 + n == era_to_gregorian("H", n)
