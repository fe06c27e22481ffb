"""The implementation-tracking routers, in the order they appear in the API docs."""

from __future__ import annotations

from fastapi import APIRouter

from api.rest.v1 import assessments, implementations, innovations, instruments, teams

ROUTERS: tuple[APIRouter, ...] = (
    innovations.router,
    teams.router,
    implementations.router,
    instruments.router,
    assessments.router,
)
