"""The authorisation endpoint (RFC 6749 section 3.1): GET shows the sign-in page, POST takes
the sign-in form and then the consent form. Browser pages, so they are left out of the
OpenAPI document; RFC 8414 metadata advertises the endpoint.

CSRF: a random cookie (SameSite=Strict, HttpOnly) set with the first page must come back in
each form (double submit), and the consent ticket is bound to its hash, so a consent form
only works in the browser that signed in."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.deps import State, UoW
from api.oauth.pages import (
    consent_page,
    demo_callback_page,
    error_page,
    login_page,
    security_headers,
)
from api.oauth.throttle import FailureThrottle
from domain.identity import authorization
from domain.identity import demo as identity_demo
from domain.identity.authorization import AuthorizePageError, AuthorizeRedirectError
from domain.identity.errors import LoginFailed
from domain.identity.users import THROTTLED_MESSAGE, record_throttled
from domain.shared.config import Settings

router = APIRouter(tags=["oauth"], include_in_schema=False)

AUTHORIZE_PATH = "/oauth/authorize"
CSRF_COOKIE = "hub_csrf"
CSRF_MAX_AGE = 1800
REQUEST_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _html(content: str, status: int = 200, *, redirect_uri: str | None = None) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=security_headers(redirect_uri))


def _error(message: str, status: int = 400) -> HTMLResponse:
    return _html(error_page(message), status)


def _redirect(location: str, status: int) -> RedirectResponse:
    response = RedirectResponse(location, status_code=status)
    response.headers.update(security_headers())
    return response


def _binding(csrf: str) -> str:
    return hashlib.sha256(csrf.encode()).hexdigest()


def _set_csrf(request: Request, response: Response, value: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(
        CSRF_COOKIE,
        value,
        max_age=CSRF_MAX_AGE,
        path=AUTHORIZE_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def _throttle(request: Request, settings: Settings) -> FailureThrottle:
    """One per app (and so per worker process), made on first use."""
    throttle: FailureThrottle | None = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = FailureThrottle(
            settings.login_failures_per_source, settings.login_source_window_seconds
        )
        request.app.state.login_throttle = throttle
    return throttle


def _source(request: Request) -> str:
    # uvicorn runs with proxy_headers, so behind a trusted proxy this is the caller's address.
    return request.client.host if request.client else "unknown"


def _once(items: list[tuple[str, str]]) -> dict[str, str] | None:
    """The parameters, or None when one was sent twice (RFC 6749 3.1)."""
    values = dict(items)
    return values if len(values) == len(items) else None


@router.get(AUTHORIZE_PATH)
async def authorize_page(request: Request, state: State, uow: UoW) -> Response:
    params = _once(list(request.query_params.multi_items()))
    if params is None:
        return _error("The sign-in link repeats a parameter, so it cannot be trusted.")
    try:
        checked = await authorization.begin(uow, params)
    except AuthorizePageError as error:
        return _error(error.detail)
    except AuthorizeRedirectError as error:
        return _redirect(error.location, 302)
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    if len(csrf) < 32:
        csrf = secrets.token_urlsafe(32)
    response = _html(
        login_page(checked, action=AUTHORIZE_PATH, csrf=csrf), redirect_uri=checked.redirect_uri
    )
    _set_csrf(request, response, csrf)
    return response


@router.post(AUTHORIZE_PATH)
async def authorize_form(request: Request, state: State, uow: UoW) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _error("Send the form from the sign-in page.", 415)
    raw = await request.form()
    form = _once([(k, v) for k, v in raw.multi_items() if isinstance(v, str)])
    if form is None or len(form) != len(raw.multi_items()):
        return _error("The form repeats a field, so it cannot be trusted.")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get("csrf", "")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        return _error(
            "This page has expired or cookies are blocked. Go back to the application and "
            "start again.",
            403,
        )
    step = form.get("step")
    try:
        if step == "login":
            params = {k: form[k] for k in REQUEST_PARAMS if k in form}
            checked = await authorization.begin(uow, params)
            email = form.get("email", "")
            throttle, source = _throttle(request, state.settings), _source(request)
            if throttle.blocked(source):
                await record_throttled(uow, email=email, client_id=checked.client_id)
                page = login_page(
                    checked,
                    action=AUTHORIZE_PATH,
                    csrf=cookie,
                    email=email,
                    error=THROTTLED_MESSAGE,
                )
                response = _html(page, 429, redirect_uri=checked.redirect_uri)
                response.headers["Retry-After"] = str(state.settings.login_source_window_seconds)
                return response
            try:
                consent = await authorization.login(
                    uow,
                    state.keys,
                    state.settings,
                    checked,
                    email=email,
                    password=form.get("password", ""),
                    browser_binding=_binding(cookie),
                )
            except LoginFailed as failed:
                throttle.record_failure(source)
                page = login_page(
                    checked, action=AUTHORIZE_PATH, csrf=cookie, email=email, error=failed.detail
                )
                return _html(page, 200, redirect_uri=checked.redirect_uri)
            return _html(
                consent_page(consent, action=AUTHORIZE_PATH, csrf=cookie),
                redirect_uri=checked.redirect_uri,
            )
        if step == "consent":
            location = await authorization.consent(
                uow,
                state.keys,
                state.settings,
                ticket=form.get("ticket", ""),
                browser_binding=_binding(cookie),
                approved=form.get("decision") == "allow",
            )
            return _redirect(location, 303)
    except AuthorizePageError as error:
        return _error(error.detail)
    except AuthorizeRedirectError as error:
        return _redirect(error.location, 303)
    return _error("The form was not sent from the sign-in page.")


@router.get(identity_demo.DEMO_CALLBACK_PATH)
async def demo_callback(request: Request) -> Response:
    """The demo app's registered redirect URI, so `make run` works in a browser with no app:
    it shows the code and the command that exchanges it with the demo's PKCE verifier."""
    code = request.query_params.get("code")
    error = request.query_params.get("error")
    base = f"{request.url.scheme}://{request.url.netloc}"
    exchange = None
    if code:
        exchange = (
            f"curl -s {base}/oauth/token -d grant_type=authorization_code "
            f"-d client_id={identity_demo.DEMO_APP_CLIENT_ID} -d code={code} "
            f"-d redirect_uri={base}{identity_demo.DEMO_CALLBACK_PATH} "
            f"-d code_verifier={identity_demo.DEMO_CODE_VERIFIER}"
        )
    return _html(demo_callback_page(code=code, error=error, exchange=exchange))
