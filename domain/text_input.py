"""One way to read what a person typed: a number of a given kind, a free text, a name.

Numbers are read as people write them in Kazakhstan: ASCII digits, grouped by
spaces of any width (people paste "4 500 000" from Word with no-break or thin
spaces), apostrophes or commas, with a unit word of the field's kind in Kazakh,
Russian or English ("12 ай", "12 месяцев", "150 адам", "2012 ж.", "4 500 000 ₸"),
a preposition where a sentence would have one ("на 12 месяцев", "в 2012 году"),
and a duration in whole years ("1 год" is 12 months).
Anything else is refused with a reason the bot turns into the field's own message.

Only ASCII digits count: "²" and "٣" pass `str.isdigit()` (and "٣" even `int()`),
but nobody types them on purpose, and reading them as numbers would store a
value the person never saw. A decimal part is refused, except that money may end
in zero tiyn ("4 500 000,00", as bank documents print it): that is still a whole
amount and nothing the person wrote is dropped.

Texts are cleaned so that what is stored is what a reader sees: NFC, no control
characters, no bidi overrides (which reorder the text around them: "Support"
+ U+202E + "etis.zk-knab" shows as "Supportbank-kz.site"), and no invisible
characters at either end. A name must keep at least one visible letter or digit.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.errors import RuleViolation


class NumberKind(StrEnum):
    MONEY = "money"  # whole tenge
    COUNT = "count"  # people, beneficiaries, staff
    MONTHS = "months"  # a project's duration
    YEAR = "year"
    INTEGER = "integer"  # a bare number: an id, a mark


class NumberProblem(StrEnum):
    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    FRACTION = "fraction"
    WRONG_UNIT = "wrong_unit"  # "150 ₸" where people are counted, "12 человек" for months
    TOO_LARGE = "too_large"


class InvalidNumber(RuleViolation):
    """Why a typed number was refused; `kind` says which kind of number was expected."""

    def __init__(self, reason: NumberProblem, kind: NumberKind, **params: int | str) -> None:
        super().__init__(reason, **params)
        self.kind = kind


# Far above any real value of the kind; they stop a pasted account or phone number
# from passing. A long-term grant starts at 10,000 MCI, about 40 million tenge.
LIMITS: dict[NumberKind, int] = {
    NumberKind.MONEY: 10**12,
    NumberKind.COUNT: 10**9,
    NumberKind.MONTHS: 1200,
    NumberKind.YEAR: 9999,
    NumberKind.INTEGER: 10**18 - 1,
}

# Unit words after (or, for currency, before) the number, lower-cased, without a final dot.
UNITS: dict[NumberKind, frozenset[str]] = {
    NumberKind.MONEY: frozenset({"₸", "тг", "тнг", "тенге", "теңге", "kzt", "tenge"}),
    NumberKind.COUNT: frozenset(
        {
            "адам",
            "кісі",
            "чел",
            "человек",
            "человека",
            "людей",
            "қызметкер",
            "ерікті",
            "сотрудник",
            "сотрудника",
            "сотрудников",
            "волонтер",
            "волонтера",
            "волонтеров",
            "волонтёр",
            "волонтёра",
            "волонтёров",
            "people",
            "staff",
            "volunteer",
            "volunteers",
            "persons",
            "person",
            "ppl",
        }
    ),
    NumberKind.MONTHS: frozenset(
        {
            "ай",
            "айға",
            "айлық",
            "мес",
            "месяц",
            "месяца",
            "месяцев",
            "month",
            "months",
            "mo",
            "mos",
        }
    ),
    NumberKind.YEAR: frozenset(
        {"ж", "жыл", "жылы", "жылдан", "г", "год", "года", "году", "гг", "year", "yr"}
    ),
    NumberKind.INTEGER: frozenset(),
}
# A duration given in whole years ("1 год", "2 жыл") is that many twelve months.
_YEARS_OF_MONTHS = frozenset(
    {"год", "года", "лет", "жыл", "жылға", "жылдық", "year", "years", "yr", "yrs"}
)
# A preposition people put before the number in a sentence-like answer:
# "на 12 месяцев", "в 2012 году", "с 2012 года", "since 2012", "for 12 months".
_LEADING_WORDS: dict[NumberKind, frozenset[str]] = {
    NumberKind.MONTHS: frozenset({"на", "for"}),
    NumberKind.YEAR: frozenset({"в", "с", "in", "since"}),
}
# Money of other countries: a sign that the answer is an amount, just not in tenge.
_OTHER_MONEY = frozenset({"$", "€", "₽", "руб", "рублей", "usd", "eur", "rub", "долл", "доллар"})
_ANY_UNIT = frozenset().union(*UNITS.values(), _OTHER_MONEY, _YEARS_OF_MONTHS)

_SPACES = "\u0020\u00a0\u2007\u2008\u2009\u200a\u202f"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
# An answer longer than this is no number (and reading it would cost for nothing).
_LONGEST_NUMBER_ANSWER = 64
_MOST_DIGITS = 18
_SHAPE = re.compile(
    r"(?P<prefix>[^0-9]*?) ?"
    r"(?P<whole>[0-9]{1,3}(?P<sep>[ ,'’])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:[.,](?P<fraction>[0-9]+))?"
    r" ?(?P<suffix>[^0-9]*)"
)


def read_number(raw: str, kind: NumberKind) -> int:
    """The whole number in `raw`, read as a `kind`; raises InvalidNumber."""
    text = _SPACE_RUN.sub(" ", strip_invisible(_without_format_characters(raw))).casefold()
    if not text or text.removesuffix(".") in _ANY_UNIT:
        raise InvalidNumber(NumberProblem.EMPTY, kind)
    if len(text) > _LONGEST_NUMBER_ANSWER:
        digits = text.translate(_SEPARATORS)
        many_digits = digits.isascii() and digits.isdigit()
        reason = NumberProblem.TOO_LARGE if many_digits else NumberProblem.NOT_A_NUMBER
        raise InvalidNumber(reason, kind, max=LIMITS[kind])
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise InvalidNumber(NumberProblem.NOT_A_NUMBER, kind)
    scale = _check_units(match["prefix"], match["suffix"], kind)
    digits = match["whole"].translate(_SEPARATORS)
    if len(digits.lstrip("0")) > _MOST_DIGITS:
        raise InvalidNumber(NumberProblem.TOO_LARGE, kind, max=LIMITS[kind])
    fraction = match["fraction"]
    if fraction is not None and (kind is not NumberKind.MONEY or fraction.strip("0")):
        raise InvalidNumber(NumberProblem.FRACTION, kind)
    value = int(digits) * scale
    if value > LIMITS[kind]:
        raise InvalidNumber(NumberProblem.TOO_LARGE, kind, max=LIMITS[kind])
    return value


_SEPARATORS = str.maketrans("", "", " ,'’")


def _check_units(prefix: str, suffix: str, kind: NumberKind) -> int:
    """What the number is multiplied by: 12 for a duration in years, else 1."""
    before, after = prefix.strip(), suffix.strip().removesuffix(".").strip()
    if before in _MINUS:
        raise InvalidNumber(NumberProblem.NEGATIVE, kind)
    if before in _LEADING_WORDS.get(kind, ()):
        before = ""
    if before in ("+", "") and not after:
        return 1
    if before and after:
        raise InvalidNumber(NumberProblem.NOT_A_NUMBER, kind)
    unit = before or after
    if not unit or (unit in UNITS[kind] and (not before or unit in _LEADING_UNITS)):
        return 1
    if kind is NumberKind.MONTHS and after in _YEARS_OF_MONTHS:
        return 12
    if unit in _ANY_UNIT:
        raise InvalidNumber(NumberProblem.WRONG_UNIT, kind)
    raise InvalidNumber(NumberProblem.NOT_A_NUMBER, kind)


_MINUS = frozenset({"-", "−", "–"})
# Only a currency may stand before the number: "₸ 4 500 000", "$100".
_LEADING_UNITS = frozenset({"₸", "kzt", "$", "€", "₽"})


def read_money(raw: str) -> int:
    return read_number(raw, NumberKind.MONEY)


def read_count(raw: str) -> int:
    return read_number(raw, NumberKind.COUNT)


def read_months(raw: str) -> int:
    return read_number(raw, NumberKind.MONTHS)


def read_year(raw: str) -> int:
    return read_number(raw, NumberKind.YEAR)


def read_integer(raw: str) -> int:
    return read_number(raw, NumberKind.INTEGER)


def plain_id(raw: object, most_digits: int = _MOST_DIGITS) -> int | None:
    """An id from callback data, which anyone can forge: None unless ASCII digits only."""
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or len(text) > most_digits:
        return None
    return int(text)


# -- free text and names ------------------------------------------------------------------

# Embeddings, overrides and isolates reorder the text around them wherever it is shown.
BIDI_CONTROLS = frozenset({*range(0x202A, 0x202F), *range(0x2066, 0x206A)})
# Characters that are letters or symbols to Unicode but show as nothing: a name made
# of them looks blank. (Hangul fillers, braille blank, Khmer inherent vowels, the
# combining grapheme joiner and the variation selectors.)
INVISIBLE = frozenset(
    {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x17B4, 0x17B5, 0x034F, 0x180E, 0x200B, 0xFEFF}
    | set(range(0xFE00, 0xFE10))
)
_DROPPED_ANYWHERE = dict.fromkeys([*BIDI_CONTROLS, 0x200B, 0xFEFF])
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"


class InvalidText(RuleViolation):
    def __init__(self, reason: TextProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


def _is_invisible(char: str) -> bool:
    return char.isspace() or ord(char) in INVISIBLE or unicodedata.category(char) in ("Cf", "Cc")


def _without_format_characters(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def strip_invisible(text: str) -> str:
    """`text` without whitespace, format characters or invisible letters at either end."""
    start, end = 0, len(text)
    while start < end and _is_invisible(text[start]):
        start += 1
    while end > start and _is_invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_text(raw: str, *, multiline: bool = True) -> str:
    """Typed text as it should be stored: what a reader sees, nothing hidden.

    Windows and old Mac line ends become ``\\n`` (or a space where one line is
    expected), tabs become spaces, other control characters, bidi controls, the
    zero-width space and a stray BOM go, trailing spaces go from each line, and
    invisible characters go from both ends. Joiners inside stay: emoji sequences
    and Persian words need them. NFC makes an "й" typed as и + breve the one-key "й".
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    text = "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")
    text = text.translate(_DROPPED_ANYWHERE)
    text = _TRAILING_SPACE.sub("", text)
    return strip_invisible(unicodedata.normalize("NFC", text))


def has_visible_letter(text: str) -> bool:
    """Whether a letter or digit a reader can see is in `text`."""
    return any(
        unicodedata.category(char)[0] in "LN" and ord(char) not in INVISIBLE for char in text
    )


def has_visible_character(text: str) -> bool:
    return any(not _is_invisible(char) for char in text)


def read_text(raw: str, limit: int, *, multiline: bool = True) -> str:
    """Free text (a description, a question, a comment): cleaned, not blank, not too long."""
    text = clean_text(raw, multiline=multiline)
    if not has_visible_character(text):
        raise InvalidText(TextProblem.EMPTY)
    if len(text) > limit:
        raise InvalidText(TextProblem.TOO_LONG, limit=limit, count=len(text))
    return text


def read_name(raw: str, limit: int) -> str:
    """A name or a title: one line, cleaned, with at least one visible letter or digit."""
    text = clean_text(raw, multiline=False)
    if not text:
        raise InvalidText(TextProblem.EMPTY)
    if not has_visible_letter(text):
        raise InvalidText(TextProblem.NO_LETTERS)
    if len(text) > limit:
        raise InvalidText(TextProblem.TOO_LONG, limit=limit, count=len(text))
    return text


# A Telegram name holding a right-to-left letter is wrapped in an isolate (FSI … PDI):
# the name keeps its own direction and the sentence around it keeps its order.
_FSI, _PDI = "\u2068", "\u2069"


def shown_name(raw: str | None) -> str:
    """A person's Telegram name as shown to other people: cleaned, its direction isolated."""
    name = clean_text(raw or "", multiline=False)
    if any(unicodedata.bidirectional(char) in ("R", "AL") for char in name):
        return f"{_FSI}{name}{_PDI}"
    return name
