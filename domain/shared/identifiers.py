"""A guard against free text that identifies a child.

Records here are about practice and systems; a child's identity does not belong in them.
Every free-text field of the API (`Text`, `ShortText` in domain.shared.schemas) runs
through `identifying_reason`, which looks for two things:

1. A Scottish Community Health Index (CHI) number: 10 digits, the first six a valid date
   `ddmmyy`, the tenth a modulus-11 check digit over the first nine (weights 10..2),
   written with or without spaces (`0101011237`, `010101 1237`, `01 01 01 12 37`).
   Longer digit runs (UK phone numbers have 11 digits) and runs that fail the date or the
   check digit are not CHI numbers.
2. A date of birth: a date next to a birth word (`DOB`, `born`, `date of birth`, ...), or
   a date directly beside a name-like word (a capitalised word that is not a month, a day
   or a common word such as `Meeting`), as in `Ava Smith 12/03/2018`.

The answer never repeats the matched text, so an error message cannot leak it either.
Pure functions: no I/O, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CHI_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

_ANY_DIGIT = re.compile(r"\d")
# Ten digits, single spaces allowed between them, not part of a longer run of digits.
_CHI_CANDIDATE = re.compile(r"(?<!\d)(?<!\d )\d(?: ?\d){9}(?! ?\d)")

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_DAYS = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
]

_NUMERIC_DATE = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WORDY_DATE = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_NAMES})\.?,?\s+\d{{4}}"
_DATE = rf"(?:{_NUMERIC_DATE}|{_WORDY_DATE})"

_BIRTH_WORDS = r"(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday|birth\s+date)"
# A birth word, then at most a few characters of punctuation or filler, then a date.
_BIRTH_DATE = re.compile(rf"\b{_BIRTH_WORDS}\W{{0,4}}(?:is\s+|was\s+|on\s+)?{_DATE}", re.I)
_DATE_ANYWHERE = re.compile(rf"(?<![\w/.\-]){_DATE}(?![\w/\-]|\.\d)", re.I)

# Capitalised words that are not names, so a date beside them identifies nobody.
_NOT_NAMES = frozenset(
    _MONTHS
    + _DAYS
    + [
        "the",
        "a",
        "an",
        "on",
        "at",
        "in",
        "by",
        "from",
        "to",
        "since",
        "until",
        "till",
        "before",
        "after",
        "during",
        "of",
        "for",
        "and",
        "or",
        "meeting",
        "session",
        "review",
        "visit",
        "visits",
        "cycle",
        "cycles",
        "team",
        "school",
        "council",
        "week",
        "month",
        "quarter",
        "term",
        "date",
        "dated",
        "due",
        "start",
        "started",
        "end",
        "ended",
        "last",
        "next",
        "today",
        "updated",
        "agreed",
        "held",
        "planned",
        "completed",
        "plan",
        "do",
        "study",
        "act",
        "note",
        "notes",
        "deadline",
        "report",
        "submitted",
        "received",
        "training",
        "coaching",
        "observation",
        "observed",
        "baseline",
        "data",
        "phase",
        "i",
        "we",
        "they",
        "he",
        "she",
        "it",
        "this",
        "that",
        "these",
        "those",
        "our",
        "their",
        "my",
        "his",
        "her",
        "its",
    ]
)
_WORD = r"[A-Z][a-z'\-]+"
_NAME_BEFORE = re.compile(rf"\b({_WORD})(?:\s+({_WORD}))?[\s,:(\-]{{1,3}}$")
_NAME_AFTER = re.compile(rf"^[\s,:)\-]{{1,3}}({_WORD})\b")


@dataclass(frozen=True)
class Finding:
    """Why a text was refused; `code` is stable for clients, `message` is for people."""

    code: str
    message: str


CHI_FINDING = Finding(
    "chi_number",
    "contains what looks like a Community Health Index number; free text must not identify a child",
)
DOB_FINDING = Finding(
    "date_of_birth",
    "contains what looks like a date of birth next to a name; free text must not identify a child",
)


def _valid_ddmmyy(digits: str) -> bool:
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    # The century is not written; a date that exists in either century counts.
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def chi_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no digit can be valid
    (a remainder that would need the check digit 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, CHI_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_chi_number(text: str) -> bool:
    """Whether `text` (digits, spaces allowed) is a well-formed CHI number."""
    digits = text.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    if not _valid_ddmmyy(digits[:6]):
        return False
    return chi_check_digit(digits[:9]) == int(digits[9])


def contains_chi_number(text: str) -> bool:
    return any(is_chi_number(m.group(0)) for m in _CHI_CANDIDATE.finditer(text))


def _name_like(word: str | None) -> bool:
    return word is not None and word.lower() not in _NOT_NAMES


def contains_date_of_birth(text: str) -> bool:
    if _BIRTH_DATE.search(text):
        return True
    for match in _DATE_ANYWHERE.finditer(text):
        before = _NAME_BEFORE.search(text[max(0, match.start() - 60) : match.start()])
        # "Ava Smith 12/03/2018": the word nearest the date decides when there are two.
        if before and _name_like(before.group(2) or before.group(1)):
            return True
        after = _NAME_AFTER.search(text[match.end() : match.end() + 40])
        if after and _name_like(after.group(1)):
            return True
    return False


def identifying_reason(text: str) -> Finding | None:
    """Why `text` may identify a child, or None. Cheap enough for every field: digits are
    rare in most text, and both checks give up early without them."""
    if _ANY_DIGIT.search(text) is None:
        return None
    if contains_chi_number(text):
        return CHI_FINDING
    if contains_date_of_birth(text):
        return DOB_FINDING
    return None
