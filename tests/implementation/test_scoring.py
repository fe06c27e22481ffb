"""Scores on hand-computed examples: percentages of the maximum over scored items only."""

from __future__ import annotations

from typing import Any

from domain.implementation.instrument_schema import parse_instrument
from domain.implementation.scoring import LocalItem, change, score, spreads


def checklist(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "key": "t",
        "version": "1",
        "name": "Test checklist",
        "applies_to": "team",
        "scale": [
            {"value": 0, "label": "Not yet started"},
            {"value": 1, "label": "Partially in place"},
            {"value": 2, "label": "In place"},
        ],
        "sections": [
            {
                "key": "comp",
                "title": "Competency",
                "group": "competency",
                "items": [{"key": "a", "text": "A"}, {"key": "b", "text": "B"}],
            },
            {
                "key": "org",
                "title": "Organisation",
                "group": "organisation",
                "items": [
                    {"key": "c", "text": "C"},
                    {"key": "d", "text": "D"},
                    # A 0-4 item: its maximum is 4, not 2.
                    {
                        "key": "e",
                        "text": "E",
                        "scale": [{"value": v, "label": str(v)} for v in range(5)],
                    },
                ],
            },
        ],
    }
    document.update(overrides)
    return document


def test_sections_groups_and_overall_by_hand() -> None:
    definition = parse_instrument(checklist())
    # comp: a=2, b=1 -> 3 of 4 = 75.0
    # org: c=0, d unscored, e=3 (of 4) -> 3 of 6 = 50.0; d listed apart, not counted as 0
    # overall: 6 of 10 = 60.0
    result = score(definition, {"a": 2, "b": 1, "c": 0, "d": None, "e": 3})
    sections = {s.key: s.tally for s in result.sections}
    assert (sections["comp"].points, sections["comp"].max_points) == (3, 4)
    assert sections["comp"].percent == 75.0
    assert (sections["org"].points, sections["org"].max_points) == (3, 6)
    assert sections["org"].percent == 50.0
    assert sections["org"].unscored == 1
    assert (result.overall.points, result.overall.max_points) == (6, 10)
    assert result.overall.percent == 60.0
    assert {g.group: g.tally.percent for g in result.groups} == {
        "competency": 75.0,
        "organisation": 50.0,
    }
    assert [u.key for u in result.unscored] == ["d"]


def test_nothing_scored_is_no_percentage_not_zero() -> None:
    result = score(parse_instrument(checklist()), {})
    assert result.overall.percent is None
    assert result.overall.unscored == 5
    assert all(s.tally.percent is None for s in result.sections)


def test_one_to_five_scale_is_a_share_of_five() -> None:
    definition = parse_instrument(
        checklist(
            scale=[{"value": v, "label": str(v)} for v in range(1, 6)],
            sections=[{"key": "s", "title": "S", "items": [{"key": "n", "text": "Need"}]}],
        )
    )
    # 4 of 5 = 80.0
    assert score(definition, {"n": 4}).overall.percent == 80.0


def test_team_items_are_totalled_apart() -> None:
    definition = parse_instrument(checklist())
    local = [LocalItem("local:1", "comp", "Our own"), LocalItem("local:2", "comp", "Other")]
    result = score(definition, {"a": 2, "b": 2, "local:1": 1}, local)
    assert result.sections[0].tally.percent == 100.0  # shared figures unchanged
    assert (result.local.points, result.local.max_points, result.local.percent) == (1, 2, 50.0)
    assert "local:2" in [u.key for u in result.unscored]


def test_one_third_rounds_to_one_decimal() -> None:
    definition = parse_instrument(checklist())
    # a=1, b=0, c=0 -> 1 of 6 = 16.666... -> 16.7
    assert score(definition, {"a": 1, "b": 0, "c": 0}).overall.percent == 16.7


def test_spread_flags_votes_far_apart() -> None:
    found = {
        s.key: s
        for s in spreads(
            [("a", "Ann", 0), ("a", "Bob", 2), ("b", "Ann", 1), ("b", "Bob", 2)], threshold=2
        )
    }
    assert (found["a"].lowest, found["a"].highest, found["a"].spread, found["a"].wide) == (
        0,
        2,
        2,
        True,
    )
    assert found["b"].wide is False
    assert found["a"].votes == {"Ann": 0, "Bob": 2}


def test_change_needs_both_figures() -> None:
    assert change(60.0, 45.5) == 14.5
    assert change(None, 45.5) is None
