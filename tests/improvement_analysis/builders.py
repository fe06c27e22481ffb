"""Small builders for the analysis tests: points from values, and runs from block sizes."""

from __future__ import annotations

from domain.improvement.analysis import Point

ABOVE = 3.0
BELOW = 1.0


def series(*values: float) -> list[Point]:
    return [Point(f"p{index}", value) for index, value in enumerate(values)]


def proportions(*counts: tuple[float, float]) -> list[Point]:
    # value is ignored by the P chart; give it something plausible anyway.
    return [
        Point(f"p{index}", num / den if den else 0.0, num, den)
        for index, (num, den) in enumerate(counts)
    ]


def blocks(*sizes: int) -> list[float]:
    """Alternating blocks of points above and below the median, starting above.

    With as many points above (3.0) as below (1.0), the median of all of them is 2.0 and no
    point lies on it, so every point is a useful observation and the blocks are the runs.
    """
    values: list[float] = []
    for position, size in enumerate(sizes):
        values += [ABOVE if position % 2 == 0 else BELOW] * size
    assert values.count(ABOVE) == values.count(BELOW), "unbalanced blocks move the median"
    return values


def with_runs(runs: int, useful: int) -> list[float]:
    """`useful` balanced points in exactly `runs` runs (blocks as even as possible)."""
    above_blocks = (runs + 1) // 2
    below_blocks = runs // 2
    half = useful // 2
    sizes: list[int] = []
    for position in range(runs):
        count, blocks_on_side = (half, above_blocks) if position % 2 == 0 else (half, below_blocks)
        nth = position // 2
        base, extra = divmod(count, blocks_on_side)
        sizes.append(base + (1 if nth < extra else 0))
    return blocks(*sizes)


def indices(start: int, stop: int) -> tuple[int, ...]:
    return tuple(range(start, stop))
