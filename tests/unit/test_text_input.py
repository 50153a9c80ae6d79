"""Reading typed numbers and names: what people write is read, everything else is refused
with a reason, and nothing typed ever raises anything but a refusal."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.text_input import (
    BIDI_CONTROLS,
    LIMITS,
    UNITS,
    InvalidNumber,
    InvalidText,
    NumberKind,
    NumberProblem,
    TextProblem,
    clean_text,
    plain_id,
    read_count,
    read_money,
    read_months,
    read_name,
    read_number,
    read_year,
    shown_name,
)

RLO, LRM, RLM, WORD_JOINER = "\u202e", "\u200e", "\u200f", "\u2060"
HANGUL_FILLER, BRAILLE_BLANK = "\u3164", "\u2800"


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("12 месяцев", NumberKind.MONTHS, 12),
        ("12 ай", NumberKind.MONTHS, 12),
        ("12 months", NumberKind.MONTHS, 12),
        ("24 мес.", NumberKind.MONTHS, 24),
        ("2012 г.", NumberKind.YEAR, 2012),
        ("2012 ж.", NumberKind.YEAR, 2012),
        ("2012 жылы", NumberKind.YEAR, 2012),
        ("в 2012 году", NumberKind.YEAR, 2012),
        ("с 2012 г.", NumberKind.YEAR, 2012),
        ("since 2012", NumberKind.YEAR, 2012),
        ("на 12 месяцев", NumberKind.MONTHS, 12),
        ("for 12 months", NumberKind.MONTHS, 12),
        ("1 год", NumberKind.MONTHS, 12),
        ("1 жыл", NumberKind.MONTHS, 12),
        ("2 years", NumberKind.MONTHS, 24),
        ("12 лет", NumberKind.MONTHS, 144),
        ("150 человек", NumberKind.COUNT, 150),
        ("150 адам", NumberKind.COUNT, 150),
        ("40 волонтёров", NumberKind.COUNT, 40),
        ("5 қызметкер", NumberKind.COUNT, 5),
        ("1\u00a0200 people", NumberKind.COUNT, 1200),
        ("4 500 000 ₸", NumberKind.MONEY, 4_500_000),
        ("4500000 тг", NumberKind.MONEY, 4_500_000),
        ("4 500 000,00", NumberKind.MONEY, 4_500_000),
        ("4\u202f500\u2009000 теңге", NumberKind.MONEY, 4_500_000),
        ("4,500,000 KZT", NumberKind.MONEY, 4_500_000),
        ("₸ 4 500 000", NumberKind.MONEY, 4_500_000),
        (f"{LRM}150{RLM}", NumberKind.COUNT, 150),
        ("  +7  ", NumberKind.INTEGER, 7),
    ],
)
def test_numbers_as_people_write_them(typed: str, kind: NumberKind, value: int) -> None:
    assert read_number(typed, kind) == value


@pytest.mark.parametrize(
    ("typed", "kind", "reason"),
    [
        ("²", NumberKind.COUNT, NumberProblem.NOT_A_NUMBER),
        ("1²", NumberKind.COUNT, NumberProblem.NOT_A_NUMBER),
        ("³", NumberKind.YEAR, NumberProblem.NOT_A_NUMBER),
        ("٢٠١٢", NumberKind.YEAR, NumberProblem.NOT_A_NUMBER),  # Arabic-Indic digits
        ("２０１２", NumberKind.YEAR, NumberProblem.NOT_A_NUMBER),  # full-width digits
        ("150 ₸", NumberKind.COUNT, NumberProblem.WRONG_UNIT),
        ("150 тг", NumberKind.COUNT, NumberProblem.WRONG_UNIT),
        ("12 человек", NumberKind.MONTHS, NumberProblem.WRONG_UNIT),
        ("$100", NumberKind.MONEY, NumberProblem.WRONG_UNIT),
        ("100 руб", NumberKind.MONEY, NumberProblem.WRONG_UNIT),
        ("1,5 года", NumberKind.MONTHS, NumberProblem.FRACTION),
        ("101 год", NumberKind.MONTHS, NumberProblem.TOO_LARGE),
        ("на 150 человек", NumberKind.COUNT, NumberProblem.NOT_A_NUMBER),
        ("в 12 месяцев", NumberKind.MONTHS, NumberProblem.NOT_A_NUMBER),
        ("12 месяцев", NumberKind.COUNT, NumberProblem.WRONG_UNIT),
        ("4 500 000,50", NumberKind.MONEY, NumberProblem.FRACTION),
        ("12,5", NumberKind.MONTHS, NumberProblem.FRACTION),
        ("150,00", NumberKind.COUNT, NumberProblem.FRACTION),
        ("-5", NumberKind.COUNT, NumberProblem.NEGATIVE),
        ("−5", NumberKind.MONEY, NumberProblem.NEGATIVE),
        ("-5 000 ₸", NumberKind.MONEY, NumberProblem.NEGATIVE),
        ("", NumberKind.COUNT, NumberProblem.EMPTY),
        (f"{LRM}{WORD_JOINER} ", NumberKind.COUNT, NumberProblem.EMPTY),
        ("тенге", NumberKind.MONEY, NumberProblem.EMPTY),
        ("1 50 000", NumberKind.MONEY, NumberProblem.NOT_A_NUMBER),
        ("1e6", NumberKind.MONEY, NumberProblem.NOT_A_NUMBER),
        ("twelve", NumberKind.MONTHS, NumberProblem.NOT_A_NUMBER),
        ("12 ай 5", NumberKind.MONTHS, NumberProblem.NOT_A_NUMBER),
        ("9" * 13, NumberKind.MONEY, NumberProblem.TOO_LARGE),
        ("9" * 5000, NumberKind.COUNT, NumberProblem.TOO_LARGE),  # int() itself would refuse
        ("13000", NumberKind.MONTHS, NumberProblem.TOO_LARGE),
    ],
)
def test_what_is_not_a_number_of_the_kind_is_refused(
    typed: str, kind: NumberKind, reason: NumberProblem
) -> None:
    with pytest.raises(InvalidNumber) as refusal:
        read_number(typed, kind)
    assert refusal.value.reason is reason
    assert refusal.value.kind is kind


@given(st.integers(min_value=0, max_value=LIMITS[NumberKind.COUNT]))
def test_every_count_written_in_digits_reads_back(n: int) -> None:
    assert read_count(str(n)) == n
    assert read_count(f"{n:,}".replace(",", "\u00a0")) == n


@given(st.integers(min_value=0, max_value=LIMITS[NumberKind.MONEY]))
def test_every_amount_reads_back_however_grouped(n: int) -> None:
    for written in (str(n), f"{n:,}", f"{n:,}".replace(",", " ") + " ₸", f"{n} тг", f"{n},00"):
        assert read_money(written) == n


@given(st.integers(min_value=1, max_value=1200), st.sampled_from(["ай", "месяцев", "months"]))
def test_months_with_their_word(n: int, word: str) -> None:
    assert read_months(f"{n} {word}") == n


@given(st.integers(min_value=1000, max_value=9999), st.sampled_from(["", " г.", " ж.", " year"]))
def test_years_with_their_word(year: int, word: str) -> None:
    assert read_year(f"{year}{word}") == year


@settings(max_examples=300)
@given(
    st.integers(min_value=0, max_value=LIMITS[NumberKind.COUNT]),
    st.sampled_from(sorted(UNITS[NumberKind.MONEY])),
    st.booleans(),
)
def test_a_count_with_a_money_sign_is_refused_as_a_count(n: int, sign: str, before: bool) -> None:
    typed = f"{sign} {n}" if before else f"{n} {sign}"
    with pytest.raises(InvalidNumber) as refusal:
        read_number(typed, NumberKind.COUNT)
    assert refusal.value.reason is NumberProblem.WRONG_UNIT
    assert refusal.value.kind is NumberKind.COUNT


@given(
    st.integers(min_value=0, max_value=LIMITS[NumberKind.COUNT]),
    st.sampled_from(sorted(UNITS[NumberKind.COUNT])),
)
def test_every_count_with_its_word_reads_back(n: int, word: str) -> None:
    assert read_number(f"{n} {word}", NumberKind.COUNT) == n


@given(
    st.integers(min_value=1, max_value=100), st.sampled_from(["год", "года", "лет", "жыл", "years"])
)
def test_a_duration_in_years_is_twelve_months_each(n: int, word: str) -> None:
    assert read_number(f"{n} {word}", NumberKind.MONTHS) == 12 * n


@given(st.text(), st.sampled_from(list(NumberKind)))
def test_arbitrary_text_is_a_number_in_range_or_a_refusal(text: str, kind: NumberKind) -> None:
    try:
        value = read_number(text, kind)
    except InvalidNumber as refusal:
        assert refusal.kind is kind
        return
    assert type(value) is int and 0 <= value <= LIMITS[kind]
    # Only ASCII digits were read: a digit of another script never counts.
    assert not any(char.isdigit() and not char.isascii() for char in text)


@given(st.text(alphabet=st.characters(categories=["Nd", "No"], exclude_characters="0123456789")))
def test_digits_of_other_scripts_are_never_read(text: str) -> None:
    with pytest.raises(InvalidNumber):
        read_count(text)


# -- free text and names


def test_a_name_of_invisible_characters_is_refused() -> None:
    for invisible in (
        f"{LRM}{RLM}",
        WORD_JOINER * 3,
        HANGUL_FILLER * 2,
        BRAILLE_BLANK,
        f"{RLO} \u00ad\u200b\ufeff",
    ):
        with pytest.raises(InvalidText) as refusal:
            read_name(invisible, 300)
        assert refusal.value.reason in (TextProblem.EMPTY, TextProblem.NO_LETTERS)


def test_a_name_needs_a_visible_letter_or_digit() -> None:
    with pytest.raises(InvalidText) as refusal:
        read_name(f"{BRAILLE_BLANK}·{HANGUL_FILLER}", 300)
    assert refusal.value.reason is TextProblem.NO_LETTERS
    assert read_name(f"{LRM} «Қамқор» ҚБ {HANGUL_FILLER}", 300) == "«Қамқор» ҚБ"
    assert read_name("7", 300) == "7"


def test_bidi_overrides_go_from_anywhere_and_joiners_stay_inside() -> None:
    assert read_name(f"Support{RLO}etis.zk-knab", 300) == "Supportetis.zk-knab"
    family = "👩\u200d👩\u200d👧"
    assert clean_text(f"{WORD_JOINER}Семья {family}\u2066\u2069") == f"Семья {family}"
    assert clean_text("и\u0306") == "й"  # NFC


def test_text_keeps_its_lines_and_names_are_one_line() -> None:
    assert clean_text("Первая\r\nвторая\x07\t", multiline=True) == "Первая\nвторая"
    assert read_name("Қамқор\nҚБ", 300) == "Қамқор ҚБ"


def test_too_long_is_counted_after_cleaning() -> None:
    assert read_name(RLO * 50 + "x" * 10, 10) == "x" * 10
    with pytest.raises(InvalidText) as refusal:
        read_name("x" * 11, 10)
    assert refusal.value.params == {"limit": 10, "count": 11}


def test_a_telegram_name_shown_to_others_cannot_reorder_the_sentence() -> None:
    assert shown_name(f"Support{RLO}etis.zk-knab") == "Supportetis.zk-knab"
    assert shown_name("Айгерим") == "Айгерим"
    assert shown_name(None) == ""
    hebrew = shown_name("דנה")
    assert hebrew == "\u2068דנה\u2069"  # isolated: its direction stays inside


@given(st.text())
def test_cleaned_text_never_holds_a_bidi_control_or_a_control_character(text: str) -> None:
    for multiline in (True, False):
        cleaned = clean_text(text, multiline=multiline)
        assert not any(ord(char) in BIDI_CONTROLS for char in cleaned)
        allowed = {"\n"} if multiline else set()
        assert all(char in allowed or unicodedata.category(char) != "Cc" for char in cleaned)
        assert cleaned == cleaned.strip()
        assert clean_text(cleaned, multiline=multiline) == cleaned  # cleaning is done once


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_a_name_is_read_or_refused_never_anything_else(text: str, limit: int) -> None:
    try:
        name = read_name(text, limit)
    except InvalidText:
        return
    assert 0 < len(name) <= limit and "\n" not in name
    assert any(unicodedata.category(char)[0] in "LN" for char in name)


@given(st.text())
def test_shown_names_carry_no_override(text: str) -> None:
    shown = shown_name(text)
    assert not any(0x202A <= ord(char) <= 0x202E for char in shown)
    assert shown.count("\u2068") == shown.count("\u2069") <= 1


@pytest.mark.parametrize(("raw", "expected"), [("42", 42), ("²", None), ("٣", None), ("-1", None)])
def test_ids_from_buttons_are_ascii_digits_only(raw: str, expected: int | None) -> None:
    assert plain_id(raw) == expected
