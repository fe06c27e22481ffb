"""All SQL for OAuth clients, revoked tokens, people, codes and refresh families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import column, delete, func, or_, select, table, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.identity.models import (
    AuthorizationCode,
    OAuthClient,
    RefreshFamily,
    RefreshToken,
    RevokedToken,
    UsedClientAssertion,
    User,
    UserRole,
)
from domain.shared.ids import utcnow
from domain.tenancy.models import ProgrammeMember


@dataclass(frozen=True)
class ClientStanding:
    """What a request needs to know about its client, read in one statement."""

    organisation_id: UUID
    roles: frozenset[str]
    disabled_at: datetime | None
    programme_ids: frozenset[UUID]
    token_revoked: bool


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, client: OAuthClient) -> None:
        self.session.add(client)

    async def by_client_id(self, client_id: str) -> OAuthClient | None:
        return (
            await self.session.scalars(
                select(OAuthClient).where(col(OAuthClient.client_id) == client_id)
            )
        ).one_or_none()

    async def standing(self, client_id: str, *, token_id: str) -> ClientStanding | None:
        """The client behind a token and whether that token was revoked: authenticating a
        request costs this one statement."""
        revoked = select(col(RevokedToken.jti)).where(col(RevokedToken.jti) == token_id).exists()
        programmes = (
            select(func.array_agg(col(ProgrammeMember.programme_id)))
            .where(col(ProgrammeMember.organisation_id) == col(OAuthClient.organisation_id))
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(
                    col(OAuthClient.organisation_id),
                    col(OAuthClient.roles),
                    col(OAuthClient.disabled_at),
                    programmes,
                    revoked,
                ).where(col(OAuthClient.client_id) == client_id)
            )
        ).one_or_none()
        if row is None:
            return None
        return ClientStanding(
            organisation_id=row[0],
            roles=frozenset(row[1] or ()),
            disabled_at=row[2],
            programme_ids=frozenset(row[3] or ()),
            token_revoked=bool(row[4]),
        )


class RevokedTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, jti: str, client_id: str, expires_at: datetime) -> None:
        # Revoking twice (or two revocations racing) is not an error: RFC 7009 answers 200.
        await self.session.execute(
            insert(RevokedToken)
            .values(jti=jti, client_id=client_id, expires_at=expires_at, revoked_at=utcnow())
            .on_conflict_do_nothing(index_elements=[col(RevokedToken.jti)])
        )

    async def delete_expired(self, before: datetime) -> None:
        await self.session.execute(
            delete(RevokedToken).where(col(RevokedToken.expires_at) < before)
        )


@dataclass(frozen=True)
class UserStanding:
    """What a request with a person's token needs to know, read in one statement."""

    organisation_id: UUID
    disabled_at: datetime | None
    locked_until: datetime | None
    roles: frozenset[str]
    programme_ids: frozenset[UUID]
    client_active: bool
    token_revoked: bool


# The implementation area's teams, named here by table so identity does not import it.
_TEAMS = table("implementation_teams", column("id"), column("programme_id"))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *rows: User | UserRole) -> None:
        self.session.add_all(rows)

    async def get(self, user_id: UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        return (
            await self.session.scalars(select(User).where(col(User.email) == email))
        ).one_or_none()

    async def by_email_for_update(self, email: str) -> User | None:
        """The row locked, so concurrent failed logins count every failure."""
        return (
            await self.session.scalars(
                select(User).where(col(User.email) == email).with_for_update()
            )
        ).one_or_none()

    async def roles_of(self, user_id: UUID) -> list[UserRole]:
        return list(
            (
                await self.session.scalars(
                    select(UserRole)
                    .where(col(UserRole.user_id) == user_id)
                    .order_by(col(UserRole.created_at), col(UserRole.id))
                )
            ).all()
        )

    async def role_names(self, user_id: UUID) -> frozenset[str]:
        rows = await self.session.scalars(
            select(col(UserRole.role)).where(col(UserRole.user_id) == user_id).distinct()
        )
        return frozenset(rows.all())

    async def standing(
        self, user_id: UUID, *, client_id: str, token_id: str
    ) -> UserStanding | None:
        """The person behind a token, their roles and programmes, whether the client is still
        active and whether the token was revoked: one statement per request."""
        revoked = select(col(RevokedToken.jti)).where(col(RevokedToken.jti) == token_id).exists()
        # An app may be used by people of any organisation (one field app for a whole
        # programme): a person's token speaks for the person's organisation, not the app's.
        client_active = (
            select(col(OAuthClient.id))
            .where(
                col(OAuthClient.client_id) == client_id,
                col(OAuthClient.disabled_at).is_(None),
            )
            .exists()
        )
        roles = (
            select(func.array_agg(col(UserRole.role).distinct()))
            .where(col(UserRole.user_id) == col(User.id))
            .scalar_subquery()
        )
        # A role held for one programme (or for a team, which serves one programme) reaches
        # that programme only; a role held organisation-wide reaches all of the
        # organisation's programmes.
        member = col(ProgrammeMember.programme_id)
        mine = col(UserRole.user_id) == user_id
        reaches = or_(
            select(col(UserRole.id))
            .where(mine, col(UserRole.programme_id).is_(None), col(UserRole.team_id).is_(None))
            .exists(),
            select(col(UserRole.id)).where(mine, col(UserRole.programme_id) == member).exists(),
            select(col(UserRole.id))
            .join(_TEAMS, _TEAMS.c.id == col(UserRole.team_id))
            .where(mine, _TEAMS.c.programme_id == member)
            .exists(),
        )
        programmes = (
            select(func.array_agg(member))
            .where(col(ProgrammeMember.organisation_id) == col(User.organisation_id), reaches)
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(
                    col(User.organisation_id),
                    col(User.disabled_at),
                    col(User.locked_until),
                    roles,
                    programmes,
                    client_active,
                    revoked,
                ).where(col(User.id) == user_id)
            )
        ).one_or_none()
        if row is None:
            return None
        return UserStanding(
            organisation_id=row[0],
            disabled_at=row[1],
            locked_until=row[2],
            roles=frozenset(row[3] or ()),
            programme_ids=frozenset(row[4] or ()),
            client_active=bool(row[5]),
            token_revoked=bool(row[6]),
        )


class AuthorizationCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, code: AuthorizationCode) -> None:
        self.session.add(code)

    async def for_update(self, code_hash: str) -> AuthorizationCode | None:
        return (
            await self.session.scalars(
                select(AuthorizationCode)
                .where(col(AuthorizationCode.code_hash) == code_hash)
                .with_for_update()
            )
        ).one_or_none()

    async def delete_expired(self, before: datetime) -> None:
        # Used codes are kept until they expire: a replay within that time must still be
        # recognised as one (and revoke what the code issued).
        await self.session.execute(
            delete(AuthorizationCode).where(col(AuthorizationCode.expires_at) < before)
        )


class RefreshRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *rows: RefreshFamily | RefreshToken) -> None:
        self.session.add_all(rows)

    async def family_for_update(self, family_id: UUID) -> RefreshFamily | None:
        return (
            await self.session.scalars(
                select(RefreshFamily).where(col(RefreshFamily.id) == family_id).with_for_update()
            )
        ).one_or_none()

    async def token_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token row locked: of two requests racing with one token, the second sees it
        used and treats it as the replay it is."""
        return (
            await self.session.scalars(
                select(RefreshToken)
                .where(col(RefreshToken.token_hash) == token_hash)
                .with_for_update()
            )
        ).one_or_none()

    async def live_access_tokens(
        self, family_id: UUID, now: datetime
    ) -> list[tuple[str, datetime]]:
        rows = await self.session.execute(
            select(col(RefreshToken.access_token_jti), col(RefreshToken.access_expires_at)).where(
                col(RefreshToken.family_id) == family_id,
                col(RefreshToken.access_expires_at) > now,
            )
        )
        return [(jti, expires) for jti, expires in rows.all()]

    async def mark_family_revoked(self, family_id: UUID, *, reason: str, now: datetime) -> None:
        await self.session.execute(
            update(RefreshFamily)
            .where(col(RefreshFamily.id) == family_id, col(RefreshFamily.revoked_at).is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )


class UsedAssertionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Records an assertion's jti; False when it was already used."""
        result = await self.session.execute(
            insert(UsedClientAssertion)
            .values(client_id=client_id, jti=jti, expires_at=expires_at)
            .on_conflict_do_nothing()
            .returning(col(UsedClientAssertion.jti))
        )
        return result.first() is not None

    async def delete_expired(self, before: datetime) -> None:
        await self.session.execute(
            delete(UsedClientAssertion).where(col(UsedClientAssertion.expires_at) < before)
        )
