"""Run charts and Shewhart (XmR, P) charts for measures: pure functions over points.

No database, no I/O, no framework: each function takes a sequence of `Point`s and returns a
frozen dataclass of primitives, tuples, enums and nested dataclasses that an adapter can
serialise as it stands. Bad input raises `InvalidAnalysisInput` (a `ValidationFailed` and a
`ValueError`); too little data is never an error but a rule status of `insufficient_data`
with a note saying what the rule needs and what it has.
"""

from domain.improvement.analysis.baseline import Baseline, BaselineKind, Rebase
from domain.improvement.analysis.errors import InvalidAnalysisInput
from domain.improvement.analysis.limits import XmrLimits
from domain.improvement.analysis.outcomes import Direction, RuleStatus
from domain.improvement.analysis.p_chart import PChart, PChartPoint, PChartSegment, p_chart
from domain.improvement.analysis.points import Point
from domain.improvement.analysis.run_chart import (
    AnhoejTest,
    Position,
    RunChart,
    RunChartCheck,
    RunChartPoint,
    RunChartRule,
    RunChartSegment,
    RunChartSignal,
    RunsRuleSet,
    RunsTest,
    run_chart,
)
from domain.improvement.analysis.runs_table import RunsMethod
from domain.improvement.analysis.shewhart import ShewhartCheck, ShewhartRule, ShewhartSignal
from domain.improvement.analysis.xmr import XmrChart, XmrPoint, XmrSegment, xmr_chart

__all__ = [
    "AnhoejTest",
    "Baseline",
    "BaselineKind",
    "Direction",
    "InvalidAnalysisInput",
    "PChart",
    "PChartPoint",
    "PChartSegment",
    "Point",
    "Position",
    "Rebase",
    "RuleStatus",
    "RunChart",
    "RunChartCheck",
    "RunChartPoint",
    "RunChartRule",
    "RunChartSegment",
    "RunChartSignal",
    "RunsMethod",
    "RunsRuleSet",
    "RunsTest",
    "ShewhartCheck",
    "ShewhartRule",
    "ShewhartSignal",
    "XmrChart",
    "XmrLimits",
    "XmrPoint",
    "XmrSegment",
    "p_chart",
    "run_chart",
    "xmr_chart",
]
