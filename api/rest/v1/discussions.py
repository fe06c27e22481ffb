"""REST adapter for discussions: threads, posts and replies, edit history and moderation."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import Pagination, State, UoW, expected_version
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.communities import Reader, Writer
from api.rest.v1.headers import (
    COMMON,
    CREATE,
    READ_ONE,
    WRITE_ONE,
    IdempotencyKey,
    IfMatch,
    IfNoneMatch,
    read_response,
)
from domain.community import discussions as service
from domain.community.schemas import (
    EditRead,
    HideRequest,
    LockRequest,
    PostCreate,
    PostRead,
    PostUpdate,
    ThreadCreate,
    ThreadRead,
    ThreadUpdate,
)

threads = APIRouter(prefix="/v1/threads", tags=["discussions"], responses=COMMON)
posts = APIRouter(prefix="/v1/posts", tags=["discussions"], responses=COMMON)
MODERATION = {**WRITE_ONE, 403: {"description": "Only the community's moderators do this"}}


def _thread(thread: object) -> Response:
    read = ThreadRead.model_validate(thread)
    return json_response(read, version=read.version)


def _post(post: object) -> Response:
    read = PostRead.model_validate(post)
    return json_response(read, version=read.version)


def _edits(rows: list[object]) -> Response:
    items = [EditRead.model_validate(row) for row in rows]
    return json_response(PageOf[EditRead](items=items, next_cursor=None))


@threads.post(
    "",
    status_code=201,
    response_model=ThreadRead,
    summary="Start a thread in a community, optionally about a resource or a cycle",
    responses=CREATE,
)
async def create_thread(
    body: ThreadCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        thread = await service.create_thread(uow, principal, body)
        return json_response(
            ThreadRead.model_validate(thread),
            status=201,
            version=thread.version,
            headers={"Location": f"/v1/threads/{thread.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@threads.get("", response_model=PageOf[ThreadRead], summary="Threads you may see, newest first")
async def list_threads(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    community_id: UUID | None = None,
    resource_id: UUID | None = None,
    cycle_id: UUID | None = None,
) -> Response:
    result = await service.list_threads(
        uow,
        principal,
        page,
        community_id=community_id,
        resource_id=resource_id,
        cycle_id=cycle_id,
    )
    return page_response(result, ThreadRead)


@threads.get("/{thread_id}", response_model=ThreadRead, summary="One thread", responses=READ_ONE)
async def get_thread(
    thread_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    thread = await service.get_thread(uow, principal, thread_id)
    return read_response(ThreadRead.model_validate(thread), thread.version, if_none_match)


@threads.patch(
    "/{thread_id}",
    response_model=ThreadRead,
    summary="Edit your thread (the earlier text is kept)",
    responses={**WRITE_ONE, 403: {"description": "Not your thread"}},
)
async def update_thread(
    thread_id: UUID, body: ThreadUpdate, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    thread = await service.update_thread(
        uow, principal, thread_id, body, expected_version=expected_version(if_match)
    )
    return _thread(thread)


@threads.post(
    "/{thread_id}/lock", response_model=ThreadRead, summary="Lock a thread", responses=MODERATION
)
async def lock_thread(
    thread_id: UUID, body: LockRequest, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    thread = await service.lock_thread(
        uow, principal, thread_id, body, expected_version=expected_version(if_match)
    )
    return _thread(thread)


@threads.post(
    "/{thread_id}/unlock",
    response_model=ThreadRead,
    summary="Unlock a thread",
    responses=MODERATION,
)
async def unlock_thread(
    thread_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    thread = await service.lock_thread(
        uow,
        principal,
        thread_id,
        LockRequest(),
        expected_version=expected_version(if_match),
        locked=False,
    )
    return _thread(thread)


@threads.post(
    "/{thread_id}/hide",
    response_model=ThreadRead,
    summary="Hide a thread with a reason (then only moderators and its author see it)",
    responses=MODERATION,
)
async def hide_thread(
    thread_id: UUID, body: HideRequest, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    thread = await service.hide_thread(
        uow, principal, thread_id, body, expected_version=expected_version(if_match)
    )
    return _thread(thread)


@threads.post(
    "/{thread_id}/unhide",
    response_model=ThreadRead,
    summary="Show a thread again",
    responses=MODERATION,
)
async def unhide_thread(
    thread_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    thread = await service.hide_thread(
        uow, principal, thread_id, None, expected_version=expected_version(if_match)
    )
    return _thread(thread)


@threads.get(
    "/{thread_id}/edits",
    response_model=PageOf[EditRead],
    summary="Earlier versions of a thread's title and text",
    responses=READ_ONE,
)
async def thread_edits(thread_id: UUID, uow: UoW, principal: Reader) -> Response:
    return _edits(list(await service.edit_history(uow, principal, "thread", thread_id)))


@threads.get(
    "/{thread_id}/posts",
    response_model=PageOf[PostRead],
    summary="A thread's posts, oldest first (hidden ones only for moderators and authors)",
    responses=READ_ONE,
)
async def list_posts(thread_id: UUID, uow: UoW, principal: Reader, page: Pagination) -> Response:
    result = await service.list_posts(uow, principal, thread_id, page)
    return page_response(result, PostRead)


@threads.post(
    "/{thread_id}/posts",
    status_code=201,
    response_model=PostRead,
    summary="Post in a thread, or reply to a post (parent_id)",
    responses={**CREATE, **READ_ONE},
)
async def create_post(
    thread_id: UUID,
    body: PostCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        post = await service.create_post(uow, principal, thread_id, body)
        return json_response(
            PostRead.model_validate(post),
            status=201,
            version=post.version,
            headers={"Location": f"/v1/posts/{post.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@posts.get("/{post_id}", response_model=PostRead, summary="One post", responses=READ_ONE)
async def get_post(
    post_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    post = await service.get_post(uow, principal, post_id)
    return read_response(PostRead.model_validate(post), post.version, if_none_match)


@posts.patch(
    "/{post_id}",
    response_model=PostRead,
    summary="Edit your post (the earlier text is kept)",
    responses={**WRITE_ONE, 403: {"description": "Not your post"}},
)
async def update_post(
    post_id: UUID, body: PostUpdate, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    post = await service.update_post(
        uow, principal, post_id, body, expected_version=expected_version(if_match)
    )
    return _post(post)


@posts.post(
    "/{post_id}/hide",
    response_model=PostRead,
    summary="Hide a post with a reason (then only moderators and its author see it)",
    responses=MODERATION,
)
async def hide_post(
    post_id: UUID, body: HideRequest, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    post = await service.hide_post(
        uow, principal, post_id, body, expected_version=expected_version(if_match)
    )
    return _post(post)


@posts.post(
    "/{post_id}/unhide",
    response_model=PostRead,
    summary="Show a post again",
    responses=MODERATION,
)
async def unhide_post(
    post_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    post = await service.hide_post(
        uow, principal, post_id, None, expected_version=expected_version(if_match)
    )
    return _post(post)


@posts.get(
    "/{post_id}/edits",
    response_model=PageOf[EditRead],
    summary="Earlier versions of a post",
    responses=READ_ONE,
)
async def post_edits(post_id: UUID, uow: UoW, principal: Reader) -> Response:
    return _edits(list(await service.edit_history(uow, principal, "post", post_id)))
