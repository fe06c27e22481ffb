"""People: making users, their roles, and signing in with a password.

Sign-in answers one way for an unknown email, a wrong password, a disabled account and a
locked one (`LoginFailed`, one message), and always runs one argon2 verification, so neither
the words nor the time say whether an email is registered. After
`Settings.login_max_failures` wrong passwords in a row the account is locked for
`Settings.login_lockout_minutes`; every success, failure and lockout is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.audit import service as audit
from domain.identity.errors import LoginFailed
from domain.identity.models import User, UserRole
from domain.identity.repository import UserRepository
from domain.identity.roles import ROLE_NAMES, permitted_scopes
from domain.identity.secrets import hash_secret, verify_secret
from domain.shared.config import Settings
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork

LOGIN_FAILED_MESSAGE = (
    "The email or password is not right. After several failed attempts, sign-in is paused "
    "for a while; ask your organisation's administrator if you cannot sign in."
)
THROTTLED_MESSAGE = (
    "Too many failed sign-ins have come from your network. Wait a few minutes and try again."
)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is an attack
# Names audit rows about an email nobody registered, without a user row to point at: the
# same email always maps to the same id, so repeated attempts can be followed.
_UNKNOWN_EMAIL_NAMESPACE = uuid.UUID("8a3e4b0e-6f51-4c1e-9d0c-2f1f6a6c0d11")
SUBJECT_PREFIX = "user:"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def subject_of(user_id: UUID) -> str:
    """A person's Principal.subject (and created_by); their tokens' `sub` is the bare id."""
    return f"{SUBJECT_PREFIX}{user_id}"


def user_id_of(principal: Principal) -> UUID | None:
    """The user behind a principal, or None for clients, the system and anonymous callers."""
    # A federated person is a user too, named by their own provider, not by a users row.
    if principal.kind is not PrincipalKind.user or not principal.subject.startswith(SUBJECT_PREFIX):
        return None
    return UUID(principal.subject.removeprefix(SUBJECT_PREFIX))


def principal_of(user: User, *, client_id: str | None = None) -> Principal:
    """The person as the actor of their own sign-in events (no scopes: not a token)."""
    return Principal(
        kind=PrincipalKind.user,
        subject=subject_of(user.id),
        organisation_id=user.organisation_id,
        client_id=client_id,
    )


def check_password(password: str) -> list[FieldError]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldError("/password", f"must be at least {MIN_PASSWORD_LENGTH} characters")]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [FieldError("/password", f"must be at most {MAX_PASSWORD_LENGTH} characters")]
    return []


@dataclass(frozen=True)
class RoleGrant:
    role: str
    programme_id: UUID | None = None
    team_id: UUID | None = None


def new_user(
    *,
    organisation_id: UUID,
    email: str,
    display_name: str,
    password: str | None,
    created_by: str,
) -> User:
    """A User row (not yet added); validates and hashes. Callers add, audit and commit."""
    errors: list[FieldError] = []
    normalised = normalise_email(email)
    local, at, domain = normalised.partition("@")
    if not local or not at or "." not in domain or len(normalised) > 320:
        errors.append(FieldError("/email", "must be an email address"))
    if not display_name.strip():
        errors.append(FieldError("/display_name", "must not be empty"))
    if password is not None:
        errors += check_password(password)
    if errors:
        raise ValidationFailed(errors)
    return User(
        organisation_id=organisation_id,
        email=normalised,
        display_name=display_name.strip(),
        password_hash=hash_secret(password) if password is not None else None,
        created_by=created_by,
    )


def new_roles(user: User, grants: list[RoleGrant], *, created_by: str) -> list[UserRole]:
    unknown = [g.role for g in grants if g.role not in ROLE_NAMES]
    if unknown:
        raise ValidationFailed([FieldError("/roles", f"unknown role '{r}'") for r in unknown])
    return [
        UserRole(
            user_id=user.id,
            role=g.role,
            programme_id=g.programme_id,
            team_id=g.team_id,
            created_by=created_by,
        )
        for g in grants
    ]


async def scopes_for(uow: UnitOfWork, user_id: UUID) -> frozenset[str]:
    """What the person's roles permit now (ROLE_PERMISSIONS)."""
    return permitted_scopes(await UserRepository(uow.session).role_names(user_id))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


async def authenticate_user(
    uow: UnitOfWork,
    settings: Settings,
    *,
    email: str,
    password: str,
    client_id: str | None,
) -> User:
    """Signs a person in; commits the outcome (counters and audit rows) either way."""
    normalised = normalise_email(email)
    repo = UserRepository(uow.session)
    user = await repo.by_email_for_update(normalised) if normalised else None
    now = utcnow()
    usable = user is not None and user.disabled_at is None and not is_locked(user, now)
    # One argon2 check on every path (a dummy hash when there is nothing to check against),
    # so an unknown email takes as long as a wrong password.
    password_ok = await verify_secret(
        user.password_hash if user is not None and usable else None, password[:MAX_PASSWORD_LENGTH]
    )
    if user is None:
        anonymous = Principal(
            kind=PrincipalKind.anonymous, subject="anonymous", client_id=client_id
        )
        audit.record(
            uow,
            anonymous,
            action="login_failed",
            entity_type="user",
            entity_id=uuid.uuid5(_UNKNOWN_EMAIL_NAMESPACE, normalised),
            changes={"email": normalised[:320], "reason": "unknown_email"},
        )
        await uow.commit()
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    actor = principal_of(user, client_id=client_id)
    if not usable:
        reason = "disabled" if user.disabled_at is not None else "locked"
        audit.record(
            uow,
            actor,
            action="login_failed",
            entity_type="user",
            entity_id=user.id,
            changes={"reason": reason},
        )
        await uow.commit()
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    if not password_ok:
        user.failed_logins += 1
        audit.record(
            uow,
            actor,
            action="login_failed",
            entity_type="user",
            entity_id=user.id,
            changes={"reason": "wrong_password", "failed_logins": user.failed_logins},
        )
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            audit.record(
                uow,
                actor,
                action="lockout",
                entity_type="user",
                entity_id=user.id,
                changes={"locked_until": user.locked_until, "failed_logins": user.failed_logins},
            )
            # The count starts again once the lock ends.
            user.failed_logins = 0
        await uow.commit()
        raise LoginFailed(LOGIN_FAILED_MESSAGE)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(uow, actor, action="login", entity_type="user", entity_id=user.id, changes={})
    await uow.commit()
    return user


async def record_throttled(uow: UnitOfWork, *, email: str, client_id: str | None) -> None:
    """Audits a sign-in refused before any password check because its network address
    failed too often (the front door decides that; the trail is the domain's)."""
    normalised = normalise_email(email)
    user = await UserRepository(uow.session).by_email(normalised) if normalised else None
    actor = (
        principal_of(user, client_id=client_id)
        if user is not None
        else Principal(kind=PrincipalKind.anonymous, subject="anonymous", client_id=client_id)
    )
    audit.record(
        uow,
        actor,
        action="login_failed",
        entity_type="user",
        entity_id=user.id if user is not None else uuid.uuid5(_UNKNOWN_EMAIL_NAMESPACE, normalised),
        changes={"reason": "throttled"},
    )
    await uow.commit()
