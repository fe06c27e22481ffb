"""Use cases for administering people and OAuth clients.

An organisation's administrators (`org_admin`, with the `admin` scope) manage their own
organisation's users and clients; platform administrators manage anyone's. Another
organisation's user or client answers 404, as every other record does. Nobody grants more
than they hold: only platform administrators give the `platform_admin` role, and a client
gets no role its maker lacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.audit import service as audit
from domain.identity import users as people
from domain.identity.admin_repository import AdminRepository
from domain.identity.admin_schemas import (
    ClientCreate,
    ClientFilters,
    ClientKind,
    ClientRead,
    ClientUpdate,
    GrantType,
    RoleGrantInput,
    RoleGrantRead,
    UserCreate,
    UserFilters,
    UserRead,
    UserUpdate,
)
from domain.identity.models import OAuthClient, User, UserRole
from domain.identity.roles import Action, RoleName, permits
from domain.identity.secrets import hash_secret, new_client_id, new_secret
from domain.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, ProgrammeMember

USER = "user"
CLIENT = "oauth_client"


# Who may administer what: the one rule both kinds of record go through.


def _administrable(principal: Principal, action: Action, organisation_id: UUID, noun: str) -> None:
    own = principal.require_scope(Scope.admin)
    if principal.is_platform_admin:
        return
    if organisation_id != own:
        raise NotFound(f"No {noun} with that id.")
    if not permits(principal.roles, action):
        raise Forbidden(f"Only your organisation's administrators may manage its {noun}s.")


def _target_organisation(principal: Principal, requested: UUID | None, action: Action) -> UUID:
    own = principal.require_scope(Scope.admin)
    if principal.is_platform_admin:
        return requested or own
    if not permits(principal.roles, action):
        raise Forbidden("Only your organisation's administrators may do this.")
    if requested is not None and requested != own:
        raise Forbidden("You may only manage your own organisation.")
    return own


def _listing_scope(principal: Principal, requested: UUID | None, action: Action) -> UUID | None:
    own = principal.require_scope(Scope.admin)
    if principal.is_platform_admin:
        return requested
    if not permits(principal.roles, action):
        raise Forbidden("Only your organisation's administrators may do this.")
    if requested is not None and requested != own:
        # Answering with one's own list under another's id would look like theirs.
        raise Forbidden("You may only list your own organisation's.")
    return own


async def _organisation_exists(uow: UnitOfWork, organisation_id: UUID) -> None:
    if await uow.session.get(Organisation, organisation_id) is None:
        raise ValidationFailed([FieldError("/organisation_id", "no such organisation")])


# People


@dataclass(frozen=True)
class UserView:
    user: User
    roles: list[UserRole]


def user_read(view: UserView) -> UserRead:
    user = view.user
    return UserRead(
        id=user.id,
        organisation_id=user.organisation_id,
        email=user.email,
        display_name=user.display_name,
        roles=[RoleGrantRead.model_validate(r) for r in view.roles],
        has_password=user.password_hash is not None,
        disabled_at=user.disabled_at,
        locked_until=user.locked_until,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
        created_by=user.created_by,
        version=user.version,
    )


def _user_snapshot(view: UserView) -> dict[str, Any]:
    return user_read(view).model_dump(mode="json")


async def _checked_grants(
    uow: UnitOfWork, principal: Principal, organisation_id: UUID, grants: list[RoleGrantInput]
) -> list[people.RoleGrant]:
    errors: list[FieldError] = []
    programmes = set(
        (
            await uow.session.scalars(
                select(col(ProgrammeMember.programme_id)).where(
                    col(ProgrammeMember.organisation_id) == organisation_id
                )
            )
        ).all()
    )
    for index, grant in enumerate(grants):
        if grant.role is RoleName.platform_admin and not principal.is_platform_admin:
            errors.append(
                FieldError(f"/roles/{index}/role", "only platform administrators grant this role")
            )
        if grant.programme_id is not None and grant.programme_id not in programmes:
            errors.append(
                FieldError(
                    f"/roles/{index}/programme_id",
                    "is not a programme the person's organisation belongs to",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    unique = dict.fromkeys((g.role.value, g.programme_id, g.team_id) for g in grants)
    return [people.RoleGrant(role, programme, team) for role, programme, team in unique]


async def _user(uow: UnitOfWork, principal: Principal, user_id: UUID, *, lock: bool) -> User:
    principal.require_scope(Scope.admin)
    row = await uow.session.get(User, user_id, with_for_update=lock)
    if row is None:
        raise NotFound("No user with that id.")
    _administrable(principal, Action.manage_org_users, row.organisation_id, USER)
    return row


async def create_user(uow: UnitOfWork, principal: Principal, data: UserCreate) -> UserView:
    organisation_id = _target_organisation(principal, data.organisation_id, Action.manage_org_users)
    await _organisation_exists(uow, organisation_id)
    grants = await _checked_grants(uow, principal, organisation_id, data.roles)
    user = people.new_user(
        organisation_id=organisation_id,
        email=data.email,
        display_name=data.display_name,
        password=data.password.get_secret_value() if data.password else None,
        created_by=principal.subject,
    )
    uow.session.add(user)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict("A person with that email already has an account.") from exc
    roles = people.new_roles(user, grants, created_by=principal.subject)
    uow.session.add_all(roles)
    await uow.session.flush()
    view = UserView(user, roles)
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=USER,
        entity_id=user.id,
        changes=_user_snapshot(view),
    )
    await uow.commit()
    return view


async def get_user(uow: UnitOfWork, principal: Principal, user_id: UUID) -> UserView:
    user = await _user(uow, principal, user_id, lock=False)
    roles = await AdminRepository(uow.session).roles_of([user.id])
    return UserView(user, roles.get(user.id, []))


async def list_users(
    uow: UnitOfWork, principal: Principal, filters: UserFilters, page: PageRequest
) -> Page[UserView]:
    organisation_id = _listing_scope(principal, filters.organisation_id, Action.manage_org_users)
    repo = AdminRepository(uow.session)
    rows = await repo.users(page, organisation_id=organisation_id, disabled=filters.disabled)
    roles = await repo.roles_of([u.id for u in rows])
    views = [UserView(u, roles.get(u.id, [])) for u in rows]
    return make_page(views, page, lambda v: v.user.id)


async def update_user(
    uow: UnitOfWork,
    principal: Principal,
    user_id: UUID,
    data: UserUpdate,
    *,
    expected_version: int,
) -> UserView:
    user = await _user(uow, principal, user_id, lock=True)
    check_version(USER, user.version, expected_version)
    repo = AdminRepository(uow.session)
    view = UserView(user, (await repo.roles_of([user.id])).get(user.id, []))
    changes = data.model_dump(exclude_unset=True)
    nulls = [FieldError(f"/{k}", "must not be null") for k, v in changes.items() if v is None]
    if nulls:
        raise ValidationFailed(nulls)
    if people.subject_of(user.id) == principal.subject and changes.get("disabled"):
        raise ValidationFailed([FieldError("/disabled", "you cannot disable yourself")])
    held = {r.role for r in view.roles}
    if RoleName.platform_admin.value in held and not principal.is_platform_admin:
        # An organisation's admin cannot take a platform administrator's powers away.
        raise Forbidden("Only platform administrators may change a platform administrator.")
    before = _user_snapshot(view)
    if data.display_name is not None:
        user.display_name = data.display_name.strip()
    if data.disabled is not None:
        user.disabled_at = (user.disabled_at or utcnow()) if data.disabled else None
    if data.unlock:
        user.failed_logins = 0
        user.locked_until = None
    if data.roles is not None:
        grants = await _checked_grants(uow, principal, user.organisation_id, data.roles)
        roles = people.new_roles(user, grants, created_by=principal.subject)
        await repo.replace_roles(user.id, roles)
        view = UserView(user, roles)
    changed = audit.diff(before, _user_snapshot(view))
    if changed:
        touch(user)
        audit.record(
            uow, principal, action="update", entity_type=USER, entity_id=user.id, changes=changed
        )
        await uow.commit()
    return UserView(user, view.roles)


# OAuth clients


def client_read(client: OAuthClient) -> ClientRead:
    return ClientRead(
        id=client.id,
        client_id=client.client_id,
        name=client.name,
        organisation_id=client.organisation_id,
        kind=ClientKind.confidential
        if client.secret_hash is not None or client.jwks
        else ClientKind.public,
        grant_types=list(client.grant_types),
        scopes=list(client.scopes),
        roles=list(client.roles),
        redirect_uris=list(client.redirect_uris),
        has_secret=client.secret_hash is not None,
        has_keys=bool(client.jwks),
        disabled_at=client.disabled_at,
        last_used_at=client.last_used_at,
        created_at=client.created_at,
        updated_at=client.updated_at,
        created_by=client.created_by,
        version=client.version,
    )


def _client_snapshot(client: OAuthClient) -> dict[str, Any]:
    return client_read(client).model_dump(mode="json")


@dataclass(frozen=True)
class ClientWithSecret:
    client: OAuthClient
    secret: str | None  # shown once; only its hash is stored


def _client_errors(principal: Principal, data: ClientCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    grants = set(data.grant_types)
    if data.kind is ClientKind.public:
        if GrantType.client_credentials in grants:
            errors.append(
                FieldError("/grant_types", "a public client cannot use client_credentials")
            )
        if data.jwks is not None:
            errors.append(FieldError("/jwks", "a public client has no keys"))
        if data.roles:
            errors.append(FieldError("/roles", "a public client acts for people, not roles"))
    if GrantType.authorization_code in grants and not data.redirect_uris:
        errors.append(FieldError("/redirect_uris", "the authorisation code grant needs one"))
    if GrantType.refresh_token in grants and GrantType.authorization_code not in grants:
        errors.append(FieldError("/grant_types", "refresh_token needs authorization_code"))
    for index, role in enumerate(data.roles):
        if role.value not in principal.roles and not principal.is_platform_admin:
            errors.append(FieldError(f"/roles/{index}", "you cannot give a role you lack"))
    if data.jwks is not None:
        errors += _jwks_errors(data.jwks)
    return errors


def _jwks_errors(jwks: dict[str, Any]) -> list[FieldError]:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        return [FieldError("/jwks", "must be a JWK Set of public keys")]
    if not keys.keys or any(k.key_type == "oct" or k.is_private for k in keys.keys):
        return [FieldError("/jwks", "must hold public RSA, EC or OKP keys only")]
    return []


async def _client(
    uow: UnitOfWork, principal: Principal, client_id: UUID, *, lock: bool
) -> OAuthClient:
    principal.require_scope(Scope.admin)
    row = await uow.session.get(OAuthClient, client_id, with_for_update=lock)
    if row is None:
        raise NotFound("No client with that id.")
    _administrable(principal, Action.manage_org_clients, row.organisation_id, "client")
    return row


async def create_client(
    uow: UnitOfWork, principal: Principal, data: ClientCreate
) -> ClientWithSecret:
    organisation_id = _target_organisation(
        principal, data.organisation_id, Action.manage_org_clients
    )
    await _organisation_exists(uow, organisation_id)
    errors = _client_errors(principal, data)
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret() if data.kind is ClientKind.confidential else None
    client = OAuthClient(
        client_id=new_client_id(),
        name=data.name.strip(),
        organisation_id=organisation_id,
        secret_hash=hash_secret(secret) if secret is not None else None,
        scopes=[s.value for s in data.scopes],
        roles=[r.value for r in data.roles],
        grant_types=[g.value for g in data.grant_types],
        redirect_uris=list(data.redirect_uris),
        jwks=data.jwks,
        created_by=principal.subject,
    )
    uow.session.add(client)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=CLIENT,
        entity_id=client.id,
        changes=_client_snapshot(client),
    )
    await uow.commit()
    return ClientWithSecret(client, secret)


async def get_client(uow: UnitOfWork, principal: Principal, client_id: UUID) -> OAuthClient:
    return await _client(uow, principal, client_id, lock=False)


async def list_clients(
    uow: UnitOfWork, principal: Principal, filters: ClientFilters, page: PageRequest
) -> Page[OAuthClient]:
    organisation_id = _listing_scope(principal, filters.organisation_id, Action.manage_org_clients)
    rows = await AdminRepository(uow.session).clients(page, organisation_id=organisation_id)
    return make_page(rows, page, lambda c: c.id)


async def update_client(
    uow: UnitOfWork,
    principal: Principal,
    client_id: UUID,
    data: ClientUpdate,
    *,
    expected_version: int,
) -> OAuthClient:
    client = await _client(uow, principal, client_id, lock=True)
    check_version(CLIENT, client.version, expected_version)
    changes = data.model_dump(exclude_unset=True)
    errors = [
        FieldError(f"/{k}", "must not be null")
        for k, v in changes.items()
        if v is None and k != "jwks"
    ]
    if data.jwks is not None:
        errors += _jwks_errors(data.jwks)
    if "jwks" in changes and data.jwks is None and client.secret_hash is None:
        errors.append(FieldError("/jwks", "a client without a secret needs its keys"))
    if errors:
        raise ValidationFailed(errors)
    before = _client_snapshot(client)
    if data.name is not None:
        client.name = data.name.strip()
    if data.scopes is not None:
        client.scopes = [s.value for s in data.scopes]
    if data.redirect_uris is not None:
        client.redirect_uris = list(data.redirect_uris)
    if "jwks" in changes:
        client.jwks = data.jwks
    if data.disabled is not None:
        client.disabled_at = (client.disabled_at or utcnow()) if data.disabled else None
    changed = audit.diff(before, _client_snapshot(client))
    if changed:
        touch(client)
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=CLIENT,
            entity_id=client.id,
            changes=changed,
        )
        await uow.commit()
    return client


async def rotate_client_secret(
    uow: UnitOfWork, principal: Principal, client_id: UUID, *, expected_version: int
) -> ClientWithSecret:
    """A new secret, shown once; the old one stops working when this commits."""
    client = await _client(uow, principal, client_id, lock=True)
    check_version(CLIENT, client.version, expected_version)
    if client.secret_hash is None and not client.jwks:
        raise Conflict("A public client has no secret to rotate.")
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    touch(client)
    audit.record(
        uow,
        principal,
        action="rotate_secret",
        entity_type=CLIENT,
        entity_id=client.id,
        changes={"secret": "rotated"},
    )
    await uow.commit()
    return ClientWithSecret(client, secret)


async def mark_client_used(uow: UnitOfWork, client: OAuthClient) -> None:
    """Records that a client authenticated at the token endpoint, for the admin list. At most
    once a minute per client: a busy partner must not turn every token into a row update."""
    now = utcnow()
    await uow.session.execute(
        update(OAuthClient)
        .where(
            col(OAuthClient.id) == client.id,
            or_(
                col(OAuthClient.last_used_at).is_(None),
                col(OAuthClient.last_used_at) < now - timedelta(minutes=1),
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    await uow.commit()
