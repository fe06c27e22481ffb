"""Use cases for discussions: threads in a community, posts and replies, edits with history,
and moderation (hide with a reason, lock a thread).

Who may read a thread follows its community. Any editor (content:write) who can read the
community may start a thread or post; only the author edits; only the community's named
moderators hide and lock. A hidden thread or post stays visible to its author and the
moderators (with the reason), and to nobody else.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from domain.audit import service as audit
from domain.community.access import ContentAccess, content_access, content_editor
from domain.community.common import check_version, cycle_visible, snapshot
from domain.community.conceal import conceal_links
from domain.community.markdown import render
from domain.community.models import Community, DiscussionEdit, Post, Resource, Thread
from domain.community.repository import CommunityRepository
from domain.community.schemas import (
    HideRequest,
    LockRequest,
    PostCreate,
    PostRead,
    PostUpdate,
    ThreadCreate,
    ThreadRead,
    ThreadUpdate,
)
from domain.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

THREAD = "thread"
POST = "post"


async def create_thread(uow: UnitOfWork, principal: Principal, data: ThreadCreate) -> Thread:
    access = content_editor(principal)
    repo = CommunityRepository(uow.session)
    errors: list[FieldError] = []
    if await repo.get(Community, access, data.community_id) is None:
        errors.append(FieldError("/community_id", "is not a community you may see"))
    if data.resource_id is not None and await repo.get(Resource, access, data.resource_id) is None:
        errors.append(FieldError("/resource_id", "is not a resource you may see"))
    if data.cycle_id is not None and not await cycle_visible(uow, principal, data.cycle_id):
        errors.append(FieldError("/cycle_id", "is not a cycle you may see"))
    if errors:
        raise ValidationFailed(errors)
    assert access.organisation_id is not None
    thread = Thread(
        community_id=data.community_id,
        organisation_id=access.organisation_id,
        title=data.title,
        body=data.body,
        body_html=render(data.body),
        resource_id=data.resource_id,
        cycle_id=data.cycle_id,
        created_by=principal.subject,
    )
    repo.add(thread)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=THREAD,
        entity_id=thread.id,
        changes=snapshot(ThreadRead, thread),
    )
    await uow.commit()
    return thread


async def _thread(
    uow: UnitOfWork, access: ContentAccess, thread_id: UUID, *, for_update: bool = False
) -> Thread:
    thread = await CommunityRepository(uow.session).get_thread(
        access, thread_id, for_update=for_update
    )
    if thread is None:
        raise NotFound("No thread with that id.")
    return thread


async def get_thread(uow: UnitOfWork, principal: Principal, thread_id: UUID) -> Thread:
    access = content_access(principal)
    thread = await _thread(uow, access, thread_id)
    await conceal_links(uow, principal, access, [thread])
    return thread


async def threads_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Thread]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).get_threads(access, ids)
    await conceal_links(uow, principal, access, rows)
    return {row.id: row for row in rows}


async def list_threads(
    uow: UnitOfWork,
    principal: Principal,
    page: PageRequest,
    *,
    community_id: UUID | None = None,
    resource_id: UUID | None = None,
    cycle_id: UUID | None = None,
) -> Page[Thread]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).list_threads(
        access,
        community_id=community_id,
        resource_id=resource_id,
        cycle_id=cycle_id,
        after=page.after,
        limit=page.limit,
    )
    await conceal_links(uow, principal, access, rows)
    return make_page(rows, page, lambda t: t.id)


async def update_thread(
    uow: UnitOfWork,
    principal: Principal,
    thread_id: UUID,
    data: ThreadUpdate,
    *,
    expected_version: int,
) -> Thread:
    access = content_editor(principal)
    thread = await _thread(uow, access, thread_id, for_update=True)
    _require_author(access, thread.created_by, THREAD)
    check_version(thread, expected_version, THREAD)
    if thread.locked_at is not None:
        raise Conflict("The thread is locked.")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if not any(getattr(thread, k) != v for k, v in changes.items()):
        return thread
    uow.session.add(
        DiscussionEdit(
            target_kind=THREAD,
            target_id=thread.id,
            version=thread.version,
            title=thread.title,
            body=thread.body,
            editor=principal.subject,
        )
    )
    before = snapshot(ThreadRead, thread)
    for name, value in changes.items():
        setattr(thread, name, value)
    thread.body_html = render(thread.body)
    thread.version += 1
    thread.updated_at = utcnow()
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="update",
        entity_type=THREAD,
        entity_id=thread.id,
        changes=audit.diff(before, snapshot(ThreadRead, thread)),
    )
    await uow.commit()
    return thread


def _require_author(access: ContentAccess, author: str, noun: str) -> None:
    if access.subject != author:
        raise Forbidden(f"Only the author edits a {noun}.")


async def _require_moderator(uow: UnitOfWork, access: ContentAccess, community_id: UUID) -> None:
    if not access.everything and not await CommunityRepository(uow.session).is_moderator(
        community_id, access.subject
    ):
        raise Forbidden("Only the community's moderators do this.")


async def moderate_thread(
    uow: UnitOfWork,
    principal: Principal,
    thread_id: UUID,
    action: Literal["lock", "unlock", "hide", "unhide"],
    reason: str,
    *,
    expected_version: int,
) -> Thread:
    access = content_editor(principal)
    thread = await _thread(uow, access, thread_id, for_update=True)
    await _require_moderator(uow, access, thread.community_id)
    check_version(thread, expected_version, THREAD)
    now = utcnow()
    if action == "lock":
        thread.locked_at, thread.locked_by, thread.lock_reason = now, principal.subject, reason
    elif action == "unlock":
        thread.locked_at, thread.locked_by, thread.lock_reason = None, None, ""
    elif action == "hide":
        thread.hidden_at, thread.hidden_by, thread.hidden_reason = now, principal.subject, reason
    else:
        thread.hidden_at, thread.hidden_by, thread.hidden_reason = None, None, ""
    thread.version += 1
    thread.updated_at = now
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action=action,
        entity_type=THREAD,
        entity_id=thread.id,
        changes={"reason": reason},
    )
    await uow.commit()
    return thread


async def lock_thread(
    uow: UnitOfWork,
    principal: Principal,
    thread_id: UUID,
    data: LockRequest,
    *,
    expected_version: int,
    locked: bool = True,
) -> Thread:
    return await moderate_thread(
        uow,
        principal,
        thread_id,
        "lock" if locked else "unlock",
        data.reason,
        expected_version=expected_version,
    )


async def create_post(
    uow: UnitOfWork, principal: Principal, thread_id: UUID, data: PostCreate
) -> Post:
    access = content_editor(principal)
    thread = await _thread(uow, access, thread_id)
    if thread.locked_at is not None:
        raise Conflict("The thread is locked; no new posts.")
    repo = CommunityRepository(uow.session)
    if data.parent_id is not None:
        parent = await repo.get_post(access, data.parent_id)
        if parent is None or parent.thread_id != thread.id:
            raise ValidationFailed([FieldError("/parent_id", "is not a post in this thread")])
    assert access.organisation_id is not None
    post = Post(
        thread_id=thread.id,
        parent_id=data.parent_id,
        organisation_id=access.organisation_id,
        body=data.body,
        body_html=render(data.body),
        created_by=principal.subject,
    )
    repo.add(post)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=POST,
        entity_id=post.id,
        changes=snapshot(PostRead, post),
    )
    await uow.commit()
    return post


async def _post(
    uow: UnitOfWork, access: ContentAccess, post_id: UUID, *, for_update: bool = False
) -> Post:
    post = await CommunityRepository(uow.session).get_post(access, post_id, for_update=for_update)
    if post is None:
        raise NotFound("No post with that id.")
    return post


async def get_post(uow: UnitOfWork, principal: Principal, post_id: UUID) -> Post:
    return await _post(uow, content_access(principal), post_id)


async def list_posts(
    uow: UnitOfWork, principal: Principal, thread_id: UUID, page: PageRequest
) -> Page[Post]:
    """Oldest first, as a conversation reads."""
    access = content_access(principal)
    thread = await _thread(uow, access, thread_id)
    rows = await CommunityRepository(uow.session).list_posts(
        access, thread.id, page.after, page.limit
    )
    return make_page(rows, page, lambda p: p.id)


async def posts_by_thread_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[Post]]:
    return await CommunityRepository(uow.session).posts_of_threads(content_access(principal), ids)


async def update_post(
    uow: UnitOfWork,
    principal: Principal,
    post_id: UUID,
    data: PostUpdate,
    *,
    expected_version: int,
) -> Post:
    access = content_editor(principal)
    post = await _post(uow, access, post_id, for_update=True)
    _require_author(access, post.created_by, POST)
    check_version(post, expected_version, POST)
    thread = await _thread(uow, access, post.thread_id)
    if thread.locked_at is not None:
        raise Conflict("The thread is locked.")
    if data.body == post.body:
        return post
    uow.session.add(
        DiscussionEdit(
            target_kind=POST,
            target_id=post.id,
            version=post.version,
            body=post.body,
            editor=principal.subject,
        )
    )
    before = post.body
    now = utcnow()
    post.body = data.body
    post.body_html = render(data.body)
    post.edited_at = now
    post.updated_at = now
    post.version += 1
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="update",
        entity_type=POST,
        entity_id=post.id,
        changes={"body": [before, post.body]},
    )
    await uow.commit()
    return post


async def hide_post(
    uow: UnitOfWork,
    principal: Principal,
    post_id: UUID,
    data: HideRequest | None,
    *,
    expected_version: int,
) -> Post:
    """Hides a post (with a reason), or shows it again when `data` is None."""
    access = content_editor(principal)
    post = await _post(uow, access, post_id, for_update=True)
    thread = await _thread(uow, access, post.thread_id)
    await _require_moderator(uow, access, thread.community_id)
    check_version(post, expected_version, POST)
    now = utcnow()
    if data is None:
        post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    else:
        post.hidden_at, post.hidden_by, post.hidden_reason = now, principal.subject, data.reason
    post.version += 1
    post.updated_at = now
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="hide" if data else "unhide",
        entity_type=POST,
        entity_id=post.id,
        changes={"reason": data.reason if data else ""},
    )
    await uow.commit()
    return post


async def edit_history(
    uow: UnitOfWork, principal: Principal, kind: Literal["thread", "post"], target_id: UUID
) -> list[DiscussionEdit]:
    """Earlier texts of a thread or post, for whoever may read it now."""
    access = content_access(principal)
    if kind == THREAD:
        await _thread(uow, access, target_id)
    else:
        await _post(uow, access, target_id)
    return await CommunityRepository(uow.session).edits(target_id)


async def hide_thread(
    uow: UnitOfWork,
    principal: Principal,
    thread_id: UUID,
    data: HideRequest | None,
    *,
    expected_version: int,
) -> Thread:
    return await moderate_thread(
        uow,
        principal,
        thread_id,
        "hide" if data else "unhide",
        data.reason if data else "",
        expected_version=expected_version,
    )
