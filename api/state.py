"""What the running app holds: settings, the database, the key stores."""

from __future__ import annotations

from dataclasses import dataclass

from domain.identity.federation import FederationKeys
from domain.identity.keys import KeyStore
from domain.shared.config import Settings
from domain.shared.db import Database


@dataclass
class AppState:
    settings: Settings
    database: Database
    keys: KeyStore
    head_revision: str
    federation: FederationKeys
