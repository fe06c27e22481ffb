"""Baselines (which points set a chart's centre line) and rebases (where a new one starts).

A chart is split into segments at its rebase points; each segment has its own baseline and
so its own centre line, and its rules are applied within it only, so a sustained shift that
was rebased does not keep signalling against the old median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.improvement.analysis.errors import InvalidAnalysisInput

PointRef = int | str
"""A point named by its index (position in the input) or by its label."""


class BaselineKind(StrEnum):
    ALL = "all"
    FIRST = "first"
    BETWEEN = "between"


@dataclass(frozen=True)
class Baseline:
    """Which points of a segment set its centre line.

    - `Baseline.all()`: every point of the segment.
    - `Baseline.first(n)`: the first n points of the segment (counted from the segment's
      start, so the same rule serves every segment after a rebase).
    - `Baseline.between(start, end)`: a fixed period, inclusive, given by indices into the
      whole input or by labels. Only the part inside the segment is used.
    """

    kind: BaselineKind
    count: int | None = None
    start: PointRef | None = None
    end: PointRef | None = None

    def __post_init__(self) -> None:
        if self.kind is BaselineKind.FIRST and (self.count is None or self.count < 1):
            raise InvalidAnalysisInput(
                "/baseline/count", f"a baseline needs at least 1 point, got {self.count!r}"
            )
        if self.kind is BaselineKind.BETWEEN:
            if self.start is None or self.end is None:
                raise InvalidAnalysisInput(
                    "/baseline", "a baseline period needs both a start and an end"
                )
            for name, ref in (("start", self.start), ("end", self.end)):
                if isinstance(ref, int) and ref < 0:
                    raise InvalidAnalysisInput(
                        f"/baseline/{name}", f"a point index must not be negative, got {ref}"
                    )
            if isinstance(self.start, int) and isinstance(self.end, int) and self.start > self.end:
                raise InvalidAnalysisInput(
                    "/baseline", f"baseline starts at {self.start}, after its end {self.end}"
                )

    @classmethod
    def all(cls) -> Baseline:
        return cls(BaselineKind.ALL)

    @classmethod
    def first(cls, count: int) -> Baseline:
        return cls(BaselineKind.FIRST, count=count)

    @classmethod
    def between(cls, start: PointRef, end: PointRef) -> Baseline:
        return cls(BaselineKind.BETWEEN, start=start, end=end)


@dataclass(frozen=True)
class Rebase:
    """A new segment starts at `at`. Its baseline is `baseline`, or when None the chart's
    baseline rule applied to the new segment.

    A rebase at the first point starts no new segment; a baseline it names replaces the
    chart's baseline for the first segment.
    """

    at: PointRef
    baseline: Baseline | None = None


RebaseSpec = Rebase | int | str


@dataclass(frozen=True)
class SegmentPlan:
    """Internal: the points of one segment, its baseline points, and notes on the baseline."""

    point_indices: tuple[int, ...]
    baseline_indices: tuple[int, ...]
    notes: tuple[str, ...]


class _Labels:
    def __init__(self, labels: Sequence[str]) -> None:
        self.count = len(labels)
        self._index: dict[str, int] = {}
        self._repeated: set[str] = set()
        for index, label in enumerate(labels):
            if label in self._index:
                self._repeated.add(label)
            else:
                self._index[label] = index

    def resolve(self, ref: PointRef, pointer: str) -> int:
        if isinstance(ref, bool):
            raise InvalidAnalysisInput(pointer, f"a point is named by index or label, not {ref!r}")
        if isinstance(ref, int):
            return ref
        if ref in self._repeated:
            # Two points share the label, so it names no single point; guessing one would
            # silently move a baseline or a rebase.
            raise InvalidAnalysisInput(pointer, f"label {ref!r} belongs to more than one point")
        if ref not in self._index:
            raise InvalidAnalysisInput(pointer, f"no point has the label {ref!r}")
        return self._index[ref]


def _as_rebases(rebase: Sequence[RebaseSpec] | RebaseSpec) -> list[Rebase]:
    # A bare str is itself a Sequence[str]; without this it would rebase at each character.
    if isinstance(rebase, Rebase | int | str):
        rebase = [rebase]
    return [item if isinstance(item, Rebase) else Rebase(item) for item in rebase]


def plan_segments(
    labels: Sequence[str], baseline: Baseline, rebase: Sequence[RebaseSpec] | RebaseSpec
) -> list[SegmentPlan]:
    """Split the points into segments and choose each segment's baseline points.

    Raises InvalidAnalysisInput for a rebase outside the points, a label that names no
    single point, or two different baselines given for the same segment.
    """
    names = _Labels(labels)
    starts: dict[int, Baseline | None] = {0: None}
    for position, item in enumerate(_as_rebases(rebase)):
        pointer = f"/rebase/{position}"
        at = names.resolve(item.at, f"{pointer}/at")
        if not 0 <= at < names.count:
            raise InvalidAnalysisInput(
                f"{pointer}/at", f"rebase at {item.at!r} is outside the {names.count} points"
            )
        earlier = starts.get(at)
        if earlier is not None and item.baseline is not None and earlier != item.baseline:
            raise InvalidAnalysisInput(pointer, f"two different baselines given for point {at}")
        starts[at] = item.baseline if item.baseline is not None else earlier

    bounds = sorted(starts)
    plans: list[SegmentPlan] = []
    for number, start in enumerate(bounds):
        stop = bounds[number + 1] if number + 1 < len(bounds) else names.count
        rule = starts[start] or baseline
        plans.append(_plan(names, tuple(range(start, stop)), rule))
    return plans


def _plan(names: _Labels, segment: tuple[int, ...], rule: Baseline) -> SegmentPlan:
    size = len(segment)
    if rule.kind is BaselineKind.ALL:
        return SegmentPlan(segment, segment, ())
    if rule.kind is BaselineKind.FIRST:
        count = rule.count or 0
        if size >= count:
            return SegmentPlan(segment, segment[:count], ())
        # A provisional centre line from the points there are, said out loud: a measure with
        # five months of data should still get a chart before its twelve-month baseline is due.
        note = (
            f"baseline asks for the first {count} points; this segment has {size}, "
            f"so all {size} are used"
        )
        return SegmentPlan(segment, segment, (note,))

    # __post_init__ guarantees both ends of a BETWEEN baseline.
    assert rule.start is not None
    assert rule.end is not None
    first = names.resolve(rule.start, "/baseline/start")
    last = names.resolve(rule.end, "/baseline/end")
    if first > last:
        raise InvalidAnalysisInput(
            "/baseline", f"baseline starts at point {first}, after its end at point {last}"
        )
    if not segment:
        return SegmentPlan(segment, segment, ())
    inside = tuple(index for index in segment if first <= index <= last)
    period = f"baseline period {first}-{last}"
    span = f"{segment[0]}-{segment[-1]}"
    if not inside:
        note = f"{period} lies outside this segment ({span}), so all {size} points are used"
        return SegmentPlan(segment, segment, (note,))
    if len(inside) < last - first + 1:
        note = (
            f"{period} extends beyond this segment ({span}); points {inside[0]}-{inside[-1]} used"
        )
        return SegmentPlan(segment, inside, (note,))
    return SegmentPlan(segment, inside, ())
