"""Unit of work: one session, one transaction, committed once at the end of a use case."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.shared.errors import ServiceUnavailable

QUERY_CANCELED = "57014"  # statement_timeout fired


class DatabaseBusy(ServiceUnavailable):
    code = "database_busy"
    title = "Service busy"


def database_unavailable(exc: BaseException | None) -> ServiceUnavailable | None:
    """An exhausted pool or a statement cut off by its timeout, as a domain error that both
    front doors answer with 503 and Retry-After; anything else is left alone."""
    if isinstance(exc, PoolTimeout):
        return DatabaseBusy("Every database connection is in use; retry shortly.", 1)
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
        return DatabaseBusy("The database did not answer in time; retry shortly.", 2)
    return None


class UnitOfWork:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessionmaker()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        # close() rolls back whatever the use case did not commit (a refused request changes
        # nothing) and detaches loaded rows without expiring them, so they stay readable.
        await session.close()
        unavailable = database_unavailable(exc)
        if unavailable is not None:
            raise unavailable from exc

    async def commit(self) -> None:
        await self.session.commit()
