"""Use cases for innovations and their versioned practice profiles."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from domain.audit import service as audit
from domain.implementation.common import apply, require_programme, snapshot
from domain.implementation.models import (
    CoreComponent,
    Innovation,
    PracticeProfileVersion,
    ProfileStatus,
)
from domain.implementation.repository import ImplementationRepository
from domain.implementation.schemas import (
    ComponentInput,
    ComponentRead,
    InnovationCreate,
    InnovationFilters,
    InnovationRead,
    InnovationUpdate,
    ProfileVersionCreate,
    ProfileVersionRead,
    ProfileVersionUpdate,
)
from domain.shared.authz import require_owner, visible_to
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork


@dataclass(frozen=True)
class ProfileView:
    profile: PracticeProfileVersion
    components: list[CoreComponent]

    def read(self) -> ProfileVersionRead:
        p = self.profile
        return ProfileVersionRead(
            id=p.id,
            innovation_id=p.innovation_id,
            version_number=p.version_number,
            status=ProfileStatus(p.status),
            published_at=p.published_at,
            notes=p.notes,
            organisation_id=p.organisation_id,
            programme_id=p.programme_id,
            visibility=p.visibility,
            components=[ComponentRead.model_validate(c) for c in self.components],
            created_at=p.created_at,
            updated_at=p.updated_at,
            created_by=p.created_by,
            version=p.version,
        )


# Innovations -----------------------------------------------------------------------------


async def create_innovation(
    uow: UnitOfWork, principal: Principal, data: InnovationCreate
) -> Innovation:
    access = visible_to(principal, Scope.implementation_write)
    require_programme(principal, data.programme_id, "/programme_id")
    innovation = Innovation(
        **data.model_dump(mode="json", exclude={"programme_id"}),
        programme_id=data.programme_id,
        organisation_id=access.organisation_id,
        created_by=principal.subject,
    )
    ImplementationRepository(uow.session).add(innovation)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="innovation",
        entity_id=innovation.id,
        changes=snapshot(innovation, InnovationRead),
    )
    await uow.commit()
    return innovation


async def get_innovation(uow: UnitOfWork, principal: Principal, innovation_id: UUID) -> Innovation:
    access = visible_to(principal, Scope.implementation_read)
    found = await ImplementationRepository(uow.session).get_innovation(access, innovation_id)
    if found is None:
        raise NotFound("No innovation with that id.")
    return found


async def innovations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Innovation]:
    access = visible_to(principal, Scope.implementation_read)
    rows = await ImplementationRepository(uow.session).innovations_by_ids(access, ids)
    return {row.id: row for row in rows}


async def list_innovations(
    uow: UnitOfWork, principal: Principal, filters: InnovationFilters, page: PageRequest
) -> Page[Innovation]:
    access = visible_to(principal, Scope.implementation_read)
    rows = await ImplementationRepository(uow.session).list_innovations(access, filters, page)
    return make_page(rows, page, lambda r: r.id)


async def update_innovation(
    uow: UnitOfWork,
    principal: Principal,
    innovation_id: UUID,
    data: InnovationUpdate,
    *,
    expected_version: int,
) -> Innovation:
    access = visible_to(principal, Scope.implementation_write)
    repo = ImplementationRepository(uow.session)
    innovation = await repo.get_innovation(access, innovation_id, for_update=True)
    if innovation is None:
        raise NotFound("No innovation with that id.")
    require_owner(principal, Scope.implementation_write, innovation, "innovation")
    check_version("innovation", innovation.version, expected_version)
    changed = apply(innovation, data.model_dump(exclude_unset=True))
    if changed:
        touch(innovation)
        if "visibility" in changed:
            await repo.share_profiles(innovation.id, innovation.visibility)
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type="innovation",
            entity_id=innovation.id,
            changes=changed,
        )
        await uow.commit()
    return innovation


# Practice profiles -----------------------------------------------------------------------


def _components(profile_id: UUID, items: list[ComponentInput]) -> list[CoreComponent]:
    keys = [item.key for item in items]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValidationFailed(
            [
                FieldError(
                    f"/components/{keys.index(key, keys.index(key) + 1)}/key", "is used twice"
                )
                for key in duplicates
            ]
        )
    return [
        CoreComponent(
            **item.model_dump(mode="json"), profile_version_id=profile_id, position=position
        )
        for position, item in enumerate(items)
    ]


async def create_profile_version(
    uow: UnitOfWork, principal: Principal, innovation_id: UUID, data: ProfileVersionCreate
) -> ProfileView:
    """Starts the next version as a draft: from the components given, or a copy of the
    latest version's. One draft at a time."""
    access = visible_to(principal, Scope.implementation_write)
    repo = ImplementationRepository(uow.session)
    # Locks the innovation so two callers cannot take the same version number.
    innovation = await repo.get_innovation(access, innovation_id, for_update=True)
    if innovation is None:
        raise NotFound("No innovation with that id.")
    require_owner(principal, Scope.implementation_write, innovation, "innovation")
    versions = await repo.profiles_of(innovation.id)
    if any(v.status == ProfileStatus.draft.value for v in versions):
        raise Conflict("This innovation already has a draft profile version; change that one.")
    profile = PracticeProfileVersion(
        innovation_id=innovation.id,
        version_number=(versions[0].version_number + 1) if versions else 1,
        notes=data.notes,
        organisation_id=innovation.organisation_id,
        programme_id=innovation.programme_id,
        visibility=innovation.visibility,
        created_by=principal.subject,
    )
    repo.add(profile)
    await uow.session.flush()
    if data.components is not None:
        components = _components(profile.id, data.components)
    elif versions:
        latest = (await repo.components_of([versions[0].id]))[versions[0].id]
        components = [
            CoreComponent(
                profile_version_id=profile.id,
                **{name: getattr(c, name) for name in ComponentInput.model_fields},
                position=c.position,
            )
            for c in latest
        ]
    else:
        components = []
    repo.add(*components)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="practice_profile_version",
        entity_id=profile.id,
        changes={"innovation_id": innovation.id, "version_number": profile.version_number},
    )
    await uow.commit()
    return ProfileView(profile, components)


async def get_profile_version(
    uow: UnitOfWork, principal: Principal, profile_id: UUID
) -> ProfileView:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    profile = await repo.get_profile(access, profile_id)
    if profile is None:
        raise NotFound("No practice-profile version with that id.")
    return ProfileView(profile, (await repo.components_of([profile.id]))[profile.id])


async def profiles_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, ProfileView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.profiles_by_ids(access, ids)
    components = await repo.components_of([r.id for r in rows]) if rows else {}
    return {row.id: ProfileView(row, components[row.id]) for row in rows}


async def list_profile_versions(
    uow: UnitOfWork, principal: Principal, innovation_id: UUID
) -> list[ProfileView]:
    innovation = await get_innovation(uow, principal, innovation_id)
    repo = ImplementationRepository(uow.session)
    versions = await repo.profiles_of(innovation.id)
    components = await repo.components_of([v.id for v in versions]) if versions else {}
    return [ProfileView(v, components[v.id]) for v in versions]


async def profile_versions_by_innovation_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[ProfileView]]:
    """Batch read for DataLoaders: the versions of each innovation the caller may see."""
    visible = await innovations_by_ids(uow, principal, ids)
    if not visible:
        return {}
    repo = ImplementationRepository(uow.session)
    versions = await repo.profiles_of_many(list(visible))
    flat = [v.id for rows in versions.values() for v in rows]
    components = await repo.components_of(flat) if flat else {}
    return {
        innovation_id: [ProfileView(v, components[v.id]) for v in rows]
        for innovation_id, rows in versions.items()
    }


async def _editable_profile(
    uow: UnitOfWork, principal: Principal, profile_id: UUID, expected_version: int
) -> PracticeProfileVersion:
    access = visible_to(principal, Scope.implementation_write)
    profile = await ImplementationRepository(uow.session).get_profile(
        access, profile_id, for_update=True
    )
    if profile is None:
        raise NotFound("No practice-profile version with that id.")
    require_owner(principal, Scope.implementation_write, profile, "practice-profile version")
    if profile.status == ProfileStatus.published.value:
        # Fidelity results point at this version; it must read as it did when they were made.
        raise Conflict(
            f"Version {profile.version_number} is published and never changes; "
            "start a new draft version instead."
        )
    check_version("practice-profile version", profile.version, expected_version)
    return profile


async def update_profile_version(
    uow: UnitOfWork,
    principal: Principal,
    profile_id: UUID,
    data: ProfileVersionUpdate,
    *,
    expected_version: int,
) -> ProfileView:
    profile = await _editable_profile(uow, principal, profile_id, expected_version)
    repo = ImplementationRepository(uow.session)
    changes = data.model_dump(exclude_unset=True)
    if "notes" in changes and changes["notes"] is not None:
        profile.notes = changes["notes"]
    if data.components is not None:
        await repo.replace_components(profile.id, _components(profile.id, data.components))
    touch(profile)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="update",
        entity_type="practice_profile_version",
        entity_id=profile.id,
        changes=data.model_dump(mode="json", exclude_unset=True),
    )
    await uow.commit()
    return ProfileView(profile, (await repo.components_of([profile.id]))[profile.id])


async def publish_profile_version(
    uow: UnitOfWork, principal: Principal, profile_id: UUID, *, expected_version: int
) -> ProfileView:
    profile = await _editable_profile(uow, principal, profile_id, expected_version)
    repo = ImplementationRepository(uow.session)
    components = (await repo.components_of([profile.id]))[profile.id]
    if not components:
        raise ValidationFailed(
            [FieldError("/components", "a practice profile needs at least one core component")]
        )
    profile.status = ProfileStatus.published.value
    profile.published_at = utcnow()
    touch(profile)
    try:
        await uow.session.flush()
    except IntegrityError as exc:  # pragma: no cover - guarded by the row lock above
        raise Conflict("The version changed while it was being published.") from exc
    audit.record(
        uow,
        principal,
        action="publish",
        entity_type="practice_profile_version",
        entity_id=profile.id,
        changes={"status": [ProfileStatus.draft.value, ProfileStatus.published.value]},
    )
    await uow.commit()
    return ProfileView(profile, components)
