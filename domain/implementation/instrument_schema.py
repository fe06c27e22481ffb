"""What an instrument file holds, validated on load with errors that name the bad item.

An instrument is data: a scale (points with labels), sections of items (an item may carry
its own scale), optional stage or driver group per section, and a scoring rule. Files are
JSON or YAML; `parse_instrument` answers `ValidationFailed` whose pointers are JSON
pointers into the file, such as `/sections/1/items/3/scale`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.implementation.models import Stage, SubjectKind
from domain.shared.errors import FieldError, ValidationFailed

Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=200)]
ItemText = Annotated[str, Field(min_length=1, max_length=2000)]


class InstrumentKind(StrEnum):
    stage_checklist = "stage_checklist"
    drivers = "drivers"
    capacity = "capacity"
    leadership = "leadership"
    fit = "fit"
    fidelity = "fidelity"
    other = "other"


class DriverGroup(StrEnum):
    competency = "competency"
    organisation = "organisation"
    leadership = "leadership"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScalePoint(_Strict):
    value: int = Field(ge=0, le=100)
    label: Label
    description: str = Field(default="", max_length=2000)


Scale = Annotated[list[ScalePoint], Field(min_length=2, max_length=11)]


def scale_problems(scale: list[ScalePoint]) -> str | None:
    values = [p.value for p in scale]
    if len(set(values)) != len(values):
        return "has the same value twice"
    if values != sorted(values):
        return "must list its points from lowest to highest value"
    return None


class Item(_Strict):
    key: Key
    text: ItemText
    help: str = Field(default="", max_length=2000)
    scale: Scale | None = None


class Section(_Strict):
    key: Key
    title: Label
    stage: Stage | None = None
    group: DriverGroup | None = None
    items: list[Item] = Field(min_length=1, max_length=200)


class ScoringRule(_Strict):
    # The share of the maximum points over the items that were scored; unscored items are
    # reported apart and never count as zero.
    method: Literal["percent_of_max"] = "percent_of_max"
    # Consensus votes whose highest and lowest differ by this much are reported.
    spread_threshold: int = Field(default=2, ge=1, le=100)


class InstrumentDefinition(_Strict):
    key: Key
    version: Annotated[str, Field(min_length=1, max_length=32)]
    name: Label
    description: str = Field(default="", max_length=5000)
    applies_to: SubjectKind
    kind: InstrumentKind = InstrumentKind.other
    consensus: bool = False
    scale: Scale
    scoring: ScoringRule = ScoringRule()
    sections: list[Section] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        # Raised as one error per problem, each with its pointer, by `parse_instrument`.
        problems = definition_problems(self)
        if problems:
            raise _Problems(problems)
        return self

    def items(self) -> list[tuple[Section, Item]]:
        return [(section, item) for section in self.sections for item in section.items]

    def item_scale(self, item: Item) -> list[ScalePoint]:
        return item.scale if item.scale is not None else self.scale


class _Problems(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.pointer}: {e.message}" for e in errors))
        self.errors = errors


def definition_problems(definition: InstrumentDefinition) -> list[FieldError]:
    errors: list[FieldError] = []
    problem = scale_problems(definition.scale)
    if problem:
        errors.append(FieldError("/scale", problem, "invalid_scale"))
    section_keys: set[str] = set()
    item_keys: set[str] = set()
    for s, section in enumerate(definition.sections):
        if section.key in section_keys:
            errors.append(
                FieldError(f"/sections/{s}/key", "is used by another section", "duplicate")
            )
        section_keys.add(section.key)
        for i, item in enumerate(section.items):
            where = f"/sections/{s}/items/{i}"
            if item.key in item_keys:
                errors.append(FieldError(f"{where}/key", "is used by another item", "duplicate"))
            item_keys.add(item.key)
            if item.scale is not None:
                problem = scale_problems(item.scale)
                if problem:
                    errors.append(FieldError(f"{where}/scale", problem, "invalid_scale"))
    return errors


def _pointer(location: tuple[int | str, ...]) -> str:
    return "".join(f"/{part}" for part in location)


def parse_instrument(data: Any, *, prefix: str = "") -> InstrumentDefinition:
    """Validates a decoded instrument document; every problem is named by its pointer."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError(prefix or "/", "must be an object", "type")])
    try:
        return InstrumentDefinition.model_validate(data)
    except ValidationError as exc:
        errors: list[FieldError] = []
        for err in exc.errors():
            context = err.get("ctx") or {}
            inner = context.get("error")
            if isinstance(inner, _Problems):
                errors += [FieldError(prefix + e.pointer, e.message, e.code) for e in inner.errors]
                continue
            code = "unknown_field" if err["type"] == "extra_forbidden" else err["type"]
            errors.append(FieldError(prefix + _pointer(tuple(err["loc"])), err["msg"], code))
        raise ValidationFailed(errors) from exc


def decode_instrument_file(text: str, filename: str = "") -> Any:
    """JSON or YAML (JSON is YAML too, but JSON errors read better from the JSON parser)."""
    try:
        if filename.endswith(".json"):
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed(
            [FieldError("/", f"is not valid JSON or YAML: {exc}", "unparseable")]
        ) from exc
