"""Pure rules about ramps: putting a ramp's cycles in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Link:
    """One cycle of a ramp as the chain sees it: which cycle it follows, and whether it is
    still live (a deleted cycle keeps its place, so the cycles around it stay in order)."""

    id: UUID
    previous_id: UUID | None
    live: bool = True


@dataclass(frozen=True)
class Placed:
    id: UUID
    linked: bool  # False: in the ramp but not part of its chain


def _walk(start: UUID, next_of: dict[UUID, UUID], seen: set[UUID]) -> list[UUID]:
    chain = [start]
    seen.add(start)
    while (following := next_of.get(chain[-1])) is not None and following not in seen:
        chain.append(following)
        seen.add(following)
    return chain


def ramp_order(links: Sequence[Link]) -> list[Placed]:
    """The ramp's chain from its first cycle, following each cycle to the one after it, then
    every cycle not in that chain, flagged unlinked.

    A cycle that follows nothing in this ramp starts a chain. When several do, the ramp's
    chain is the one with the most live cycles, and on a tie the one started first (ids are
    time-ordered). Other chains follow in the order they were started, each kept together;
    cycles no start reaches (a loop of links) come last, oldest first.
    """
    by_creation = sorted(links, key=lambda link: link.id)
    ids = {link.id for link in by_creation}
    live = {link.id for link in by_creation if link.live}
    # previous_cycle_id is unique, so a cycle has at most one next cycle.
    next_of = {link.previous_id: link.id for link in by_creation if link.previous_id in ids}
    seen: set[UUID] = set()
    chains = [_walk(link.id, next_of, seen) for link in by_creation if link.previous_id not in ids]
    leftovers = [[link.id] for link in by_creation if link.id not in seen]
    if not chains:
        return [Placed(cycle_id, False) for chain in leftovers for cycle_id in chain]
    main = max(chains, key=lambda chain: sum(1 for cycle_id in chain if cycle_id in live))
    placed = [Placed(cycle_id, True) for cycle_id in main]
    for chain in chains + leftovers:
        if chain is not main:
            placed.extend(Placed(cycle_id, False) for cycle_id in chain)
    return placed
