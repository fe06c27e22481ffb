"""Instrument files are validated on load; errors name the path of the bad item."""

from __future__ import annotations

import pytest

from domain.implementation.instrument_schema import decode_instrument_file, parse_instrument
from domain.implementation.instruments import built_in_definitions
from domain.shared.errors import ValidationFailed
from tests.implementation.test_scoring import checklist


def pointers(document: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_instrument(document)
    return {e.pointer: e.message for e in caught.value.errors}


def test_bad_item_scale_is_named_by_its_path() -> None:
    document = checklist()
    document["sections"][1]["items"].append(
        {"key": "f", "text": "F", "scale": [{"value": 1, "label": "one"}]}
    )
    found = pointers(document)
    assert list(found) == ["/sections/1/items/3/scale"]
    assert "at least 2" in found["/sections/1/items/3/scale"]


def test_duplicate_scale_value_and_item_key() -> None:
    document = checklist()
    document["sections"][1]["items"][2]["scale"] = [
        {"value": 0, "label": "a"},
        {"value": 0, "label": "b"},
    ]
    document["sections"][1]["items"][0]["key"] = "a"
    found = pointers(document)
    assert found["/sections/1/items/2/scale"] == "has the same value twice"
    assert found["/sections/1/items/0/key"] == "is used by another item"


def test_unknown_fields_and_bad_values_point_at_them() -> None:
    document = checklist(applies_to="school")
    document["sections"][0]["items"][1]["wording"] = "typo for text"
    document["sections"][0]["stage"] = "launch"
    found = pointers(document)
    assert set(found) == {
        "/applies_to",
        "/sections/0/items/1/wording",
        "/sections/0/stage",
    }


def test_yaml_that_does_not_parse() -> None:
    with pytest.raises(ValidationFailed) as caught:
        decode_instrument_file("key: [unclosed", "x.yaml")
    assert caught.value.errors[0].code == "unparseable"


def test_built_in_instruments_load() -> None:
    found = {d.key: d for d in built_in_definitions()}
    assert set(found) == {
        "stage-checklist",
        "drivers-assessment",
        "leadership-capacity",
        "exploration-fit",
        "team-capacity",
    }
    assert {s.stage for s in found["stage-checklist"].sections} == {
        "exploration",
        "installation",
        "initial_implementation",
        "full_implementation",
    }
    assert {s.group for s in found["drivers-assessment"].sections} == {
        "competency",
        "organisation",
        "leadership",
    }
    assert [p.value for p in found["exploration-fit"].scale] == [1, 2, 3, 4, 5]
    assert found["team-capacity"].consensus
