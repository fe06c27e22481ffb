"""Putting a ramp's cycles in order, without a database."""

from __future__ import annotations

from uuid import UUID

from domain.improvement.ramp_rules import Link, Placed, ramp_order
from domain.shared.ids import new_id


def ids(n: int) -> list[UUID]:
    return sorted(new_id() for _ in range(n))  # time-ordered: index = creation order


def test_an_empty_ramp_has_no_steps() -> None:
    assert ramp_order([]) == []


def test_the_chain_is_followed_from_its_first_cycle_whatever_the_input_order() -> None:
    a, b, c, d = ids(4)
    # Made in an order unlike the chain's: d first, then a, c, b.
    links = [Link(b, c), Link(d, None), Link(a, d), Link(c, a)]
    assert ramp_order(links) == [Placed(d, True), Placed(a, True), Placed(c, True), Placed(b, True)]


def test_cycles_outside_the_chain_come_last_unlinked_each_side_chain_kept_together() -> None:
    stray, first, side, second, side_next = ids(5)
    links = [
        Link(stray, None),
        Link(first, None),
        Link(side, None),
        Link(second, first),
        Link(side_next, side),
    ]
    # first -> second is as long as side -> side_next; on a tie the chain started first wins.
    assert ramp_order(links) == [
        Placed(first, True),
        Placed(second, True),
        Placed(stray, False),
        Placed(side, False),
        Placed(side_next, False),
    ]


def test_the_longest_chain_of_live_cycles_is_the_ramp() -> None:
    early, late, late_2, late_3 = ids(4)
    links = [Link(early, None), Link(late, None), Link(late_2, late), Link(late_3, late_2)]
    assert [p.id for p in ramp_order(links) if p.linked] == [late, late_2, late_3]
    # Deleted cycles keep their place but do not count towards the longest chain.
    dead = [
        Link(early, None),
        Link(late, None, live=False),
        Link(late_2, late, live=False),
        Link(late_3, late_2, live=False),
    ]
    assert [p.id for p in ramp_order(dead) if p.linked] == [early]


def test_a_deleted_or_hidden_cycle_in_the_middle_keeps_the_chain_whole() -> None:
    a, b, c = ids(3)
    placed = ramp_order([Link(a, None), Link(b, a, live=False), Link(c, b)])
    assert placed == [Placed(a, True), Placed(b, True), Placed(c, True)]


def test_a_cycle_following_one_outside_the_ramp_starts_a_chain() -> None:
    elsewhere, a, b = ids(3)
    assert ramp_order([Link(a, elsewhere), Link(b, a)]) == [Placed(a, True), Placed(b, True)]


def test_a_loop_of_links_ends_and_is_listed_unlinked() -> None:
    first, x, y = ids(3)
    placed = ramp_order([Link(first, None), Link(x, y), Link(y, x)])
    assert placed == [Placed(first, True), Placed(x, False), Placed(y, False)]
    assert ramp_order([Link(x, y), Link(y, x)]) == [Placed(x, False), Placed(y, False)]
