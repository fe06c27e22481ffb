"""The Atom feed of newly published public resources. It is the same for every caller
(feed readers send no token), so it is built for an anonymous reader whatever the request
carried: nothing but public, published content can reach it."""

from __future__ import annotations

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from domain.community.access import content_access
from domain.community.repository import CommunityRepository
from domain.shared.ids import utcnow
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

FEED_SIZE = 50


async def public_resources_atom(uow: UnitOfWork, *, base_url: str) -> bytes:
    access = content_access(Principal.anonymous())
    rows = await CommunityRepository(uow.session).newest_public_resources(access, FEED_SIZE)
    feed = FeedGenerator()
    feed.id(f"{base_url}/v1/feeds/resources.atom")
    feed.title("Implementation Hub: new public resources")
    feed.link(href=f"{base_url}/v1/feeds/resources.atom", rel="self")
    feed.link(href=f"{base_url}/v1/resources", rel="alternate")
    feed.language("en")
    feed.updated(rows[0].published_at if rows and rows[0].published_at else utcnow())
    # feedgen prepends entries; add the oldest first so the newest comes out on top.
    for row in reversed(rows):
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{row.id}")
        # Text constructs: lxml escapes them, so markup in a title stays text.
        entry.title(row.title)
        entry.link(href=f"{base_url}/v1/resources/{row.id}")
        entry.published(row.published_at)
        entry.updated(row.updated_at)
        entry.category(term=row.kind)
        if row.summary:
            entry.summary(row.summary)
        # The stored HTML was sanitised when it was written; type="html" escapes it again.
        entry.content(row.body_html, type="html")
    return bytes(feed.atom_str(pretty=True))
