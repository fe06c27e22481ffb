"""Use cases for instruments: load them from files or the API (validated, versioned,
never changed once loaded), read them, and make the fidelity instrument of a published
practice-profile version from its core components."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from domain.audit import service as audit
from domain.implementation.instrument_schema import (
    InstrumentDefinition,
    InstrumentKind,
    decode_instrument_file,
    parse_instrument,
)
from domain.implementation.models import (
    CoreComponent,
    Instrument,
    PracticeProfileVersion,
    ProfileStatus,
    SubjectKind,
)
from domain.implementation.repository import ImplementationRepository
from domain.implementation.schemas import InstrumentFilters
from domain.shared.authz import visible_to
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, PrincipalKind, Scope
from domain.shared.uow import UnitOfWork

BUILT_IN = Path(__file__).parent / "instruments"


def _require_loader(principal: Principal) -> None:
    # The operator's CLI on the server, or a platform administrator through the API.
    if principal.kind is not PrincipalKind.system:
        principal.require_platform_admin(Scope.admin)


async def _store(
    uow: UnitOfWork,
    principal: Principal,
    definition: InstrumentDefinition,
    profile_version_id: UUID | None = None,
) -> tuple[Instrument, bool]:
    repo = ImplementationRepository(uow.session)
    document = definition.model_dump(mode="json")
    existing = await repo.instrument_by_key(definition.key, definition.version)
    if existing is not None:
        if existing.definition == document:
            return existing, False
        raise Conflict(
            f"Instrument {definition.key} version {definition.version} is already loaded with "
            "other content; assessments point at it, so give the new content a new version."
        )
    instrument = Instrument(
        key=definition.key,
        instrument_version=definition.version,
        name=definition.name,
        applies_to=definition.applies_to.value,
        consensus=definition.consensus,
        definition=document,
        profile_version_id=profile_version_id,
        created_by=principal.subject,
    )
    try:
        # A savepoint: two loads of one key and version at once must not both pass.
        async with uow.session.begin_nested():
            repo.add(instrument)
            await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"Instrument {definition.key} version {definition.version} was loaded by another "
            "request just now; load it again to see it."
        ) from exc
    audit.record(
        uow,
        principal,
        action="load",
        entity_type="instrument",
        entity_id=instrument.id,
        changes={"key": instrument.key, "version": instrument.instrument_version},
    )
    return instrument, True


async def load_instrument(
    uow: UnitOfWork, principal: Principal, document: Any
) -> tuple[Instrument, bool]:
    """Validates and stores one instrument; loading the same content again is a no-op
    (answers False), other content under a loaded key and version is a conflict."""
    _require_loader(principal)
    definition = parse_instrument(document)
    instrument, created = await _store(uow, principal, definition)
    await uow.commit()
    return instrument, created


async def load_instrument_file(
    uow: UnitOfWork, principal: Principal, path: Path
) -> tuple[Instrument, bool]:
    text = path.read_text(encoding="utf-8")  # noqa: ASYNC240 - a small local file, CLI only
    return await load_instrument(uow, principal, decode_instrument_file(text, path.name))


async def load_built_in(uow: UnitOfWork, principal: Principal) -> list[Instrument]:
    """The instruments shipped with the service (idempotent)."""
    loaded = await store_built_in(uow, principal)
    await uow.commit()
    return loaded


async def store_built_in(uow: UnitOfWork, principal: Principal) -> list[Instrument]:
    """As `load_built_in`, inside the caller's transaction (the demo seed)."""
    _require_loader(principal)
    return [(await _store(uow, principal, definition))[0] for definition in built_in_definitions()]


def built_in_definitions() -> list[InstrumentDefinition]:
    paths = sorted(BUILT_IN.glob("*.yaml"))
    if not paths:
        # An install without its package data; say so rather than seed a demo without them.
        raise RuntimeError(f"No built-in instrument files in {BUILT_IN}; check package data.")
    return [
        parse_instrument(decode_instrument_file(p.read_text(encoding="utf-8"), p.name))
        for p in paths
    ]


async def get_instrument(uow: UnitOfWork, principal: Principal, instrument_id: UUID) -> Instrument:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    instrument = await repo.get_instrument(instrument_id)
    if instrument is None:
        raise NotFound("No instrument with that id.")
    # A fidelity instrument shows its profile's components: as visible as the profile.
    if (
        instrument.profile_version_id is not None
        and await repo.get_profile(access, instrument.profile_version_id) is None
    ):
        raise NotFound("No instrument with that id.")
    return instrument


async def instruments_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Instrument]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.instruments_by_ids(ids)
    profile_ids = [r.profile_version_id for r in rows if r.profile_version_id is not None]
    seen = {p.id for p in await repo.profiles_by_ids(access, profile_ids)} if profile_ids else set()
    return {r.id: r for r in rows if r.profile_version_id is None or r.profile_version_id in seen}


async def list_instruments(
    uow: UnitOfWork, principal: Principal, filters: InstrumentFilters, page: PageRequest
) -> Page[Instrument]:
    visible_to(principal, Scope.implementation_read)
    rows = await ImplementationRepository(uow.session).list_instruments(filters, page)
    return make_page(rows, page, lambda r: r.id)


FIDELITY_SCALE = [
    {"value": 0, "label": "Unacceptable practice"},
    {"value": 1, "label": "Developmental practice"},
    {"value": 2, "label": "Expected practice"},
]


def fidelity_definition(
    profile: PracticeProfileVersion, innovation_name: str, components: list[CoreComponent]
) -> InstrumentDefinition:
    """One item per core component, scored against its own practice descriptions; fixed and
    adaptable components in their own sections so each shows its own figure."""
    sections = []
    for kind, title in (("fixed", "Fixed components"), ("adaptable", "Adaptable components")):
        items = [
            {
                "key": c.key,
                "text": c.name,
                "help": c.description,
                "scale": [
                    {**FIDELITY_SCALE[0], "description": c.unacceptable_practice},
                    {**FIDELITY_SCALE[1], "description": c.developmental_practice},
                    {**FIDELITY_SCALE[2], "description": c.expected_practice},
                ],
            }
            for c in components
            if c.fixed_or_adaptable == kind
        ]
        if items:
            sections.append({"key": kind, "title": title, "items": items})
    return parse_instrument(
        {
            "key": f"fidelity-{profile.id}",
            "version": str(profile.version_number),
            "name": f"Fidelity: {innovation_name} (profile v{profile.version_number})"[:200],
            "applies_to": SubjectKind.practitioner.value,
            "kind": InstrumentKind.fidelity.value,
            "scale": FIDELITY_SCALE,
            "sections": sections,
        }
    )


async def fidelity_instrument(
    uow: UnitOfWork, principal: Principal, profile: PracticeProfileVersion
) -> Instrument:
    """The fidelity instrument of a published profile version, made on first use. The
    version never changes, so neither does its instrument; results keep pointing at both."""
    if profile.status != ProfileStatus.published.value:
        raise ValidationFailed(
            [FieldError("/profile_version_id", "is a draft; assess against a published version")]
        )
    repo = ImplementationRepository(uow.session)
    existing = await repo.instrument_for_profile(profile.id)
    if existing is not None:
        return existing
    components = (await repo.components_of([profile.id]))[profile.id]
    innovation = await repo.get_innovation(
        visible_to(principal, Scope.implementation_read), profile.innovation_id
    )
    name = innovation.name if innovation else "practice profile"
    definition = fidelity_definition(profile, name, components)
    try:
        instrument, _ = await _store(uow, principal, definition, profile_version_id=profile.id)
    except Conflict:
        # Another assessment made it a moment ago: it is the same instrument.
        made = await repo.instrument_for_profile(profile.id)
        if made is None:
            raise
        return made
    return instrument
