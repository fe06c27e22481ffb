"""The one error the analysis functions raise: input no chart can be drawn from."""

from __future__ import annotations

from domain.shared.errors import FieldError, ValidationFailed


class InvalidAnalysisInput(ValidationFailed, ValueError):
    """A point, baseline or rebase that cannot be analysed, such as a numerator above its
    denominator or a label that names no point.

    A `ValidationFailed`, so each front door maps it to the same 422 as any other bad input,
    with a pointer such as `/points/3/numerator`; and a `ValueError`, so a caller that knows
    nothing of the domain errors (a notebook, a script) can still catch it.
    """

    def __init__(self, pointer: str, message: str, code: str = "invalid") -> None:
        super().__init__([FieldError(pointer, message, code)])
