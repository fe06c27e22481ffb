from __future__ import annotations

import pytest

from api.state import AppState
from tests.factories import Party, World, create_platform_admin


@pytest.fixture
async def admin(app_state: AppState, world: World) -> Party:
    """A platform administrator (every scope), alongside the three-organisation world."""
    return await create_platform_admin(app_state)
