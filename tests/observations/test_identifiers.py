"""The guard against free text that identifies a child: a pure function."""

from __future__ import annotations

import pytest

from domain.shared.identifiers import (
    chi_check_digit,
    contains_chi_number,
    identifying_reason,
    is_chi_number,
)


@pytest.mark.parametrize(
    "number",
    ["0101011237", "010101 1237", "01 01 01 12 37", "1203184565", "3112990013", "2902001231"],
)
def test_valid_chi_numbers(number: str) -> None:
    assert is_chi_number(number)
    assert contains_chi_number(f"Seen today, {number}, with mum.")
    finding = identifying_reason(f"ref {number}")
    assert finding is not None
    assert finding.code == "chi_number"
    assert number not in finding.message


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("0101011238", "wrong check digit"),
        ("3202011234", "no 32nd day"),
        ("0113011234", "no 13th month"),
        ("2902011232", "29 February 1901 or 2001 does not exist"),
        ("010101123", "nine digits"),
    ],
)
def test_invalid_chi_numbers(number: str, why: str) -> None:
    assert not is_chi_number(number), why


def test_check_digit_ten_is_never_valid() -> None:
    # Nine digits whose remainder asks for a check digit of 10 make no CHI number.
    nine = next(f"010101{n:03d}" for n in range(1000) if chi_check_digit(f"010101{n:03d}") is None)
    assert all(not is_chi_number(nine + str(d)) for d in range(10))


@pytest.mark.parametrize(
    "text",
    [
        "Call the office on 07700 900123",  # UK mobile: 11 digits
        "Landline 0131 496 0000",
        "Ring 01382 433000 before the visit",
        "Tel: +44 1382 433000",
        "Referral 0113011234 logged",  # ten digits, but month 13
        "Room 12, 34 pupils, 2026 budget",
        "Twelve families (12) took part in the 2024 cycle",
        "Meeting on Tuesday 12/03/2024 agreed the plan",
        "Team meeting 12/03/2024",
    ],
)
def test_look_alikes_pass(text: str) -> None:
    assert identifying_reason(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Ava Smith 12/03/2018 attended with her gran",
        "Seen Ava (12.03.2018) at nursery",
        "DOB: 12/03/2018",
        "d.o.b. 12-03-18",
        "born 3rd March 2017",
        "Date of birth 3 March 2017",
        "12/03/2018 Ava attended",
    ],
)
def test_dates_of_birth_next_to_names_are_found(text: str) -> None:
    finding = identifying_reason(text)
    assert finding is not None
    assert finding.code == "date_of_birth"
    assert "2018" not in finding.message


def test_plain_text_is_fine() -> None:
    assert identifying_reason("Buddy pairs met at break; two pairs needed prompting.") is None
    assert identifying_reason("") is None
