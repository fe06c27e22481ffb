"""People in the ANEW demo: users in several organisations and roles, all with one documented
demo password, and a public demo app (authorisation code + PKCE, refresh tokens) whose
redirect URI is the service's own demo callback page.

Called once from `domain.demo.seed`, inside its transaction. The password and the PKCE pair
below are public on purpose: they exist only in a demo database."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from domain.audit import service as audit
from domain.identity.authorization import S256, s256
from domain.identity.models import OAuthClient
from domain.identity.refresh import AUTHORIZATION_CODE, REFRESH_TOKEN
from domain.identity.repository import ClientRepository, UserRepository
from domain.identity.roles import RoleName
from domain.identity.users import RoleGrant, new_roles, new_user
from domain.shared.config import get_settings
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme

DEMO_PASSWORD = "anew-demo-password"
DEMO_APP_CLIENT_ID = "hub_demo_app"
DEMO_APP_NAME = "ANEW field app (demo)"
DEMO_CALLBACK_PATH = "/oauth/demo/callback"
# A fixed PKCE pair, so the printed authorisation URL and the exchange command go together.
DEMO_CODE_VERIFIER = "anew-demo-code-verifier-0123456789-abcdefghijklmnop"
DEMO_APP_SCOPES = [
    Scope.cycles_read.value,
    Scope.cycles_write.value,
    Scope.implementation_read.value,
    Scope.observations_write.value,
    Scope.content_read.value,
    Scope.tenancy_read.value,
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    organisation: str  # key into the organisations passed to `seed`
    roles: tuple[RoleName, ...]
    in_programme: bool  # roles held in the ANEW programme rather than organisation-wide


DEMO_PEOPLE = (
    DemoPerson(
        "practitioner@dundee.demo",
        "Morag Practitioner",
        "dundee",
        (RoleName.practitioner,),
        True,
    ),
    DemoPerson("team@dundee.demo", "Iain Team Member", "dundee", (RoleName.team_member,), True),
    DemoPerson("admin@dundee.demo", "Dundee Administrator", "dundee", (RoleName.org_admin,), False),
    DemoPerson(
        "healthvisitor@tayside.demo",
        "Fiona Health Visitor",
        "tayside",
        (RoleName.practitioner, RoleName.team_member),
        True,
    ),
    DemoPerson(
        "lead@inverclyde.demo",
        "Ruth Programme Lead",
        "inverclyde",
        (RoleName.programme_lead,),
        True,
    ),
    DemoPerson(
        "coach@celcis.demo", "Sam Implementation Coach", "national", (RoleName.coach,), True
    ),
    DemoPerson("viewer@perth.demo", "Alex Viewer", "perth", (RoleName.viewer,), True),
)


def demo_redirect_uris(host: str, port: int) -> list[str]:
    return [
        f"http://{host}:{port}{DEMO_CALLBACK_PATH}",
        f"http://localhost:{port}{DEMO_CALLBACK_PATH}",
        f"http://127.0.0.1:{port}{DEMO_CALLBACK_PATH}",
    ]


def authorization_url(base: str, *, redirect_uri: str | None = None) -> str:
    """The demo app's authorisation request, ready to open in a browser."""
    params = {
        "response_type": "code",
        "client_id": DEMO_APP_CLIENT_ID,
        "redirect_uri": redirect_uri or base + DEMO_CALLBACK_PATH,
        "scope": "cycles:read cycles:write",
        "state": "demo",
        "code_challenge": s256(DEMO_CODE_VERIFIER),
        "code_challenge_method": S256,
    }
    return f"{base}/oauth/authorize?{urlencode(params)}"


def banner_lines(base: str) -> list[str]:
    """What `hub serve --demo` prints about signing in as a person."""
    person = DEMO_PEOPLE[0]
    return [
        f"  Demo sign-in ({person.display_name}, Dundee City Council)",
        f"    email         {person.email}",
        f"    password      {DEMO_PASSWORD}   (every demo user; see README 'Signing in')",
        "  Sign in as a person (authorisation code + PKCE) in a browser:",
        f"    {authorization_url(base)}",
    ]


async def seed(
    uow: UnitOfWork,
    system: Principal,
    *,
    programme: Programme,
    organisations: dict[str, Organisation],
) -> None:
    """Adds the demo people and the demo app. The caller commits."""
    author = system.subject
    users = UserRepository(uow.session)
    for person in DEMO_PEOPLE:
        org = organisations[person.organisation]
        user = new_user(
            organisation_id=org.id,
            email=person.email,
            display_name=person.display_name,
            password=DEMO_PASSWORD,
            created_by=author,
        )
        users.add(user)
        await uow.session.flush()  # the user's row before the role rows that point at it
        grants = [
            RoleGrant(role.value, programme_id=programme.id if person.in_programme else None)
            for role in person.roles
        ]
        users.add(*new_roles(user, grants, created_by=author))
        audit.record(
            uow,
            system,
            action="create",
            entity_type="user",
            entity_id=user.id,
            changes={"email": user.email, "roles": [r.value for r in person.roles]},
        )
    settings = get_settings()
    app = OAuthClient(
        client_id=DEMO_APP_CLIENT_ID,
        name=DEMO_APP_NAME,
        organisation_id=organisations["dundee"].id,
        secret_hash=None,  # public: a phone or browser app cannot keep a secret
        scopes=DEMO_APP_SCOPES,
        roles=[],
        grant_types=[AUTHORIZATION_CODE, REFRESH_TOKEN],
        redirect_uris=demo_redirect_uris(settings.host, settings.port),
        created_by=author,
    )
    ClientRepository(uow.session).add(app)
    await uow.session.flush()
    audit.record(
        uow,
        system,
        action="create",
        entity_type="oauth_client",
        entity_id=app.id,
        changes={"client_id": app.client_id, "redirect_uris": app.redirect_uris},
    )
