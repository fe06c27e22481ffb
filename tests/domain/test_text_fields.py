"""Every free-text field refuses what PostgreSQL or the XML feeds cannot hold."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.shared.schemas import ShortText, Text


@pytest.mark.parametrize("value", ["x\x00y", "Guide\x0b", "bell\x07", "esc\x1b[0m"])
def test_control_characters_are_refused(value: str) -> None:
    for kind in (Text, ShortText):
        with pytest.raises(ValidationError, match="control characters"):
            TypeAdapter(kind).validate_python(value)


def test_tabs_and_line_breaks_are_text() -> None:
    value = "Plan:\n\t- ask\r\n\t- try"
    assert TypeAdapter(Text).validate_python(value) == value
