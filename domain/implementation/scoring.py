"""Assessment scores from an instrument definition and item scores: pure functions.

Every figure is a percentage of the maximum over the items that were scored. An item
without a score is listed in `unscored`, never counted as zero, so a half-finished
assessment does not look like a weak one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from domain.implementation.instrument_schema import InstrumentDefinition, ScalePoint


@dataclass(frozen=True)
class LocalItem:
    """A team's own item on a shared instrument, scored on the instrument's scale."""

    key: str
    section_key: str
    text: str


@dataclass(frozen=True)
class Tally:
    points: int = 0
    max_points: int = 0
    scored: int = 0
    unscored: int = 0

    @property
    def percent(self) -> float | None:
        if self.max_points == 0:
            return None
        return round(100 * self.points / self.max_points, 1)

    def add(self, score: int | None, maximum: int) -> Tally:
        if score is None:
            return Tally(self.points, self.max_points, self.scored, self.unscored + 1)
        return Tally(self.points + score, self.max_points + maximum, self.scored + 1, self.unscored)


@dataclass(frozen=True)
class SectionScore:
    key: str
    title: str
    stage: str | None
    group: str | None
    tally: Tally


@dataclass(frozen=True)
class GroupScore:
    group: str
    tally: Tally


@dataclass(frozen=True)
class UnscoredItem:
    key: str
    section_key: str
    text: str


@dataclass(frozen=True)
class ItemSpread:
    key: str
    votes: dict[str, int]
    lowest: int
    highest: int
    spread: int
    wide: bool


@dataclass(frozen=True)
class Result:
    overall: Tally
    sections: list[SectionScore]
    groups: list[GroupScore]
    unscored: list[UnscoredItem]
    # The team's own items, totalled apart so shared figures stay comparable across teams.
    local: Tally = field(default_factory=Tally)


def _maximum(scale: Sequence[ScalePoint]) -> int:
    return max(point.value for point in scale)


def item_scale_values(definition: InstrumentDefinition) -> dict[str, set[int]]:
    """The allowed values of every item, by key."""
    return {
        item.key: {p.value for p in definition.item_scale(item)} for _, item in definition.items()
    }


def score(
    definition: InstrumentDefinition,
    scores: Mapping[str, int | None],
    local_items: Iterable[LocalItem] = (),
) -> Result:
    overall = Tally()
    sections: list[SectionScore] = []
    groups: dict[str, Tally] = {}
    unscored: list[UnscoredItem] = []
    for section in definition.sections:
        tally = Tally()
        for item in section.items:
            value = scores.get(item.key)
            maximum = _maximum(definition.item_scale(item))
            tally = tally.add(value, maximum)
            overall = overall.add(value, maximum)
            if section.group is not None:
                groups[section.group] = groups.get(section.group, Tally()).add(value, maximum)
            if value is None:
                unscored.append(UnscoredItem(item.key, section.key, item.text))
        sections.append(
            SectionScore(
                section.key,
                section.title,
                section.stage.value if section.stage else None,
                section.group.value if section.group else None,
                tally,
            )
        )
    local = Tally()
    maximum = _maximum(definition.scale)
    for extra in local_items:
        value = scores.get(extra.key)
        local = local.add(value, maximum)
        if value is None:
            unscored.append(UnscoredItem(extra.key, extra.section_key, extra.text))
    return Result(
        overall=overall,
        sections=sections,
        groups=[GroupScore(name, tally) for name, tally in groups.items()],
        unscored=unscored,
        local=local,
    )


def spreads(votes: Iterable[tuple[str, str, int]], threshold: int) -> list[ItemSpread]:
    """Per item, each participant's vote and how far apart the votes are; `wide` marks the
    items to talk through before agreeing a score. `votes` is (item, participant, score)."""
    by_item: dict[str, dict[str, int]] = {}
    for item_key, participant, value in votes:
        by_item.setdefault(item_key, {})[participant] = value
    found = []
    for item_key, cast in by_item.items():
        lowest, highest = min(cast.values()), max(cast.values())
        found.append(
            ItemSpread(
                item_key,
                dict(sorted(cast.items())),
                lowest,
                highest,
                highest - lowest,
                highest - lowest >= threshold,
            )
        )
    return found


def change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 1)
