"""The Active Implementation vocabulary every install starts with, in our own words.

Migration 0011 inserts this list (slugs not yet taken), and the demo and tests call
`seed_glossary` for the same effect, so the seed is reference data rather than demo data.
Treat the list as the 0011 edition: a later change to a definition belongs in a new data
migration, not an edit here, so a fresh install and an upgraded one agree.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from domain.community.markdown import render
from domain.shared.ids import new_id, utcnow

SEED_AUTHOR = "system:glossary-seed"

# (term, definition, aliases, related slugs)
TERMS: list[tuple[str, str, list[str], list[str]]] = [
    (
        "Active Implementation",
        "A way of putting a practice into everyday use on purpose, with named people, "
        "stages, supports and data, rather than hoping it spreads by itself.",
        ["Active Implementation Frameworks", "AIF"],
        [
            "usable-innovation",
            "implementation-stages",
            "implementation-drivers",
            "implementation-team",
            "improvement-cycle",
        ],
    ),
    (
        "Usable innovation",
        "A practice that is clear enough to be taught, learned, done and checked: its "
        "philosophy, who it is for, its core components and how to tell it is being done.",
        ["usable intervention"],
        ["practice-profile", "core-components", "fidelity"],
    ),
    (
        "Practice profile",
        "A description of each core component of a practice as expected, developmental and "
        "unacceptable practice, so that everyone means the same thing by doing it well.",
        ["practice profiles"],
        ["usable-innovation", "core-components", "fidelity"],
    ),
    (
        "Core components",
        "The parts of a practice that make it work and must be kept when it is adapted to "
        "a new place.",
        ["essential functions"],
        ["practice-profile", "usable-innovation"],
    ),
    (
        "Implementation stages",
        "Exploration, installation, initial implementation and full implementation. Teams "
        "move through them over two to four years and sometimes go back when things change.",
        ["stages of implementation"],
        ["exploration", "installation", "initial-implementation", "full-implementation"],
    ),
    (
        "Exploration",
        "The first stage: looking at the need, the fit of a practice and the readiness to use "
        "it, and deciding together whether to go ahead.",
        ["exploration stage"],
        ["implementation-stages", "hexagon-tool"],
    ),
    (
        "Installation",
        "The stage of getting ready: finding staff, training, data systems, money and "
        "agreements in place before the practice is first used.",
        ["installation stage"],
        ["implementation-stages"],
    ),
    (
        "Initial implementation",
        "The first, awkward use of the practice. Problems are expected and solved quickly "
        "with improvement cycles.",
        ["initial implementation stage"],
        ["implementation-stages", "improvement-cycle"],
    ),
    (
        "Full implementation",
        "When most practitioners use the practice well and it has become the usual way of "
        "working, so outcomes can be expected.",
        ["full implementation stage"],
        ["implementation-stages", "fidelity"],
    ),
    (
        "Implementation drivers",
        "The supports that make a practice happen and last: competency drivers, "
        "organisation drivers and leadership drivers.",
        ["drivers"],
        ["competency-drivers", "organisation-drivers", "leadership-drivers"],
    ),
    (
        "Competency drivers",
        "Selection, training, coaching and fidelity assessment: how practitioners come to use "
        "the practice well.",
        ["competency driver"],
        ["implementation-drivers", "coaching", "fidelity"],
    ),
    (
        "Organisation drivers",
        "The decision-support data system, facilitative administration and systems "
        "intervention: how the organisation makes the practice easier to do.",
        ["organisation driver", "organization drivers"],
        ["implementation-drivers", "decision-support-data-system"],
    ),
    (
        "Leadership drivers",
        "Technical leadership for clear problems with known answers, and adaptive leadership "
        "for problems where people have to learn and agree what to do.",
        ["leadership driver", "adaptive leadership", "technical leadership"],
        ["implementation-drivers"],
    ),
    (
        "Coaching",
        "Support on the job after training, with observation and feedback, so new skills "
        "are used in real work.",
        [],
        ["competency-drivers"],
    ),
    (
        "Decision-support data system",
        "Timely, useful data about the practice and its results that teams use to make "
        "decisions, not just to report.",
        ["data system"],
        ["organisation-drivers", "improvement-cycle"],
    ),
    (
        "Fidelity",
        "How closely a practice is done as intended, judged against its core components and "
        "practice profile.",
        ["fidelity assessment", "adherence"],
        ["practice-profile", "competency-drivers"],
    ),
    (
        "Implementation team",
        "A lasting team of three or more people from the agencies involved, accountable for "
        "moving the work through the stages. It does the work; it is not a committee.",
        ["implementation teams"],
        ["active-implementation", "transformation-zone"],
    ),
    (
        "Improvement cycle",
        "A short, planned test of a change: plan, do, study, act. Cycles are used to solve "
        "problems quickly, test a new practice and carry feedback between practice and policy.",
        ["improvement cycles", "PDSA", "plan-do-study-act"],
        ["usability-testing", "practice-policy-feedback-loop"],
    ),
    (
        "Usability testing",
        "A planned series of improvement cycles with small groups, trying a new practice and "
        "fixing what gets in the way before it is used widely.",
        ["usability test"],
        ["improvement-cycle"],
    ),
    (
        "Practice-policy feedback loop",
        "Barriers met by practitioners are reported to leaders, and leaders' decisions come "
        "back to practice, so policy keeps up with what happens on the front line.",
        ["practice policy feedback"],
        ["improvement-cycle", "leadership-drivers"],
    ),
    (
        "Formula for Success",
        "Effective practices times effective implementation times enabling contexts give "
        "socially significant outcomes. If any part is zero, so is the result.",
        ["formula for success"],
        ["usable-innovation", "enabling-context"],
    ),
    (
        "Enabling context",
        "The policies, funding, leadership and partnerships around a practice that let it "
        "take hold and last.",
        ["enabling contexts"],
        ["formula-for-success"],
    ),
    (
        "Transformation zone",
        "A small but whole slice of the system, such as one locality, where a practice and "
        "its supports are developed first before they spread.",
        ["transformation zones"],
        ["implementation-team", "scaling"],
    ),
    (
        "Scaling",
        "Using a practice with more people and places once it works well in the "
        "transformation zone.",
        ["scale-up", "spread"],
        ["transformation-zone"],
    ),
    (
        "Hexagon tool",
        "A discussion tool for exploration that looks at need, fit, resources, evidence, "
        "readiness and capacity for a practice.",
        ["hexagon"],
        ["exploration"],
    ),
    (
        "Logic model",
        "A picture of how a programme's inputs and activities are expected to lead to its "
        "outcomes, used to decide what to measure.",
        ["theory of change"],
        ["run-chart"],
    ),
    (
        "Run chart",
        "Data plotted over time with its median, read with simple rules (shift, trend, runs) "
        "to tell whether a change is an improvement.",
        ["run charts"],
        ["improvement-cycle", "logic-model"],
    ),
    (
        "Community of practice",
        "People doing similar work who meet and share regularly to learn from each other.",
        ["CoP"],
        ["implementation-team"],
    ),
]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:200] or "term"


def seed_rows() -> list[dict[str, Any]]:
    """Column values for the seeded terms (public, owned by no organisation)."""
    now = utcnow()
    return [
        {
            "id": new_id(),
            "created_at": now,
            "updated_at": now,
            "created_by": SEED_AUTHOR,
            "version": 1,
            "organisation_id": None,
            "programme_id": None,
            "visibility": "public",
            "slug": slugify(term),
            "term": term,
            "definition": definition,
            "definition_html": render(definition),
            "aliases": aliases,
            "alias_text": " ".join(aliases),
            "related": related,
        }
        for term, definition, aliases, related in TERMS
    ]
