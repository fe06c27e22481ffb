"""The sign-in, consent and error pages of the authorisation endpoint: small server-rendered
HTML, no JavaScript, every value escaped. String templates rather than a template engine:
three pages do not justify a dependency, and `html.escape` on every value is easy to check."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from urllib.parse import urlsplit

from domain.identity.authorization import AuthorizationRequest, Consent

STYLE = """
body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;background:#f4f4f4;color:#111}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #ccc}
h1{font-size:1.5rem;margin-top:0}
label{display:block;font-weight:600;margin-top:1rem}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;
font-size:1rem;border:2px solid #333}
input:focus,button:focus{outline:3px solid #fd0;outline-offset:0}
button{margin-top:1.5rem;margin-right:.5rem;padding:.6rem 1.2rem;font-size:1rem;
border:2px solid #005a30;background:#00703c;color:#fff;cursor:pointer}
button.secondary{background:#f3f2f1;color:#0b0c0c;border-color:#0b0c0c}
.error{border-left:5px solid #d4351c;padding:.5rem 1rem;color:#d4351c;font-weight:600}
"""
# The stylesheet is inline and allowed by its hash: no 'unsafe-inline', no scripts at all.
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def security_headers(redirect_uri: str | None = None) -> dict[str, str]:
    """No caching (the pages carry one-time tickets), no framing (clickjacking of the
    consent button), no referrer (codes are in URLs), and a CSP that allows only the inline
    stylesheet and forms posting here or redirecting to the client's own redirect URI."""
    form_action = "'self'"
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        if parts.scheme in ("http", "https") and parts.netloc:
            form_action += f" {parts.scheme}://{parts.netloc}"
        elif parts.scheme:
            form_action += f" {parts.scheme}:"
    return {
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
    }


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)} - Implementation Hub</title>"
        f"<style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _hidden(values: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in values.items()
    )


def login_page(
    request: AuthorizationRequest,
    *,
    action: str,
    csrf: str,
    email: str = "",
    error: str | None = None,
) -> str:
    error_html = ""
    described = ""
    if error:
        error_html = f'<p class="error" id="login-error" role="alert">{escape(error)}</p>'
        described = ' aria-describedby="login-error" aria-invalid="true"'
    hidden = _hidden({"step": "login", "csrf": csrf, **request.as_params()})
    body = (
        "<h1>Sign in</h1>"
        f"<p>Sign in to Implementation Hub to continue to "
        f"<strong>{escape(request.client_name)}</strong>.</p>"
        f"{error_html}"
        f'<form method="post" action="{escape(action)}" novalidate>'
        f"{hidden}"
        '<label for="email">Email address</label>'
        f'<input id="email" name="email" type="email" autocomplete="username" required '
        f'spellcheck="false" value="{escape(email)}"{described}>'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" '
        f'autocomplete="current-password" required{described}>'
        '<button type="submit">Sign in</button>'
        "</form>"
    )
    return _page("Sign in", body)


def consent_page(consent: Consent, *, action: str, csrf: str) -> str:
    items = "".join(
        f"<li><strong>{escape(description)}</strong> <small>({escape(scope)})</small></li>"
        for scope, description in consent.scope_descriptions()
    )
    hidden = _hidden({"step": "consent", "csrf": csrf, "ticket": consent.ticket})
    body = (
        "<h1>Allow access?</h1>"
        f"<p>You are signed in as <strong>{escape(consent.user_display_name)}</strong>.</p>"
        f"<p><strong>{escape(consent.request.client_name)}</strong> is asking to act for you "
        "in Implementation Hub. It will be able to:</p>"
        f'<ul aria-label="What the application will be able to do">{items}</ul>'
        f'<form method="post" action="{escape(action)}">'
        f"{hidden}"
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny" class="secondary">Deny</button>'
        "</form>"
    )
    return _page("Allow access", body)


def error_page(message: str) -> str:
    body = (
        "<h1>Sign-in problem</h1>"
        f'<p class="error" role="alert">{escape(message)}</p>'
        "<p>Go back to the application and try again. If this keeps happening, tell the "
        "application's provider.</p>"
    )
    return _page("Sign-in problem", body)


def demo_callback_page(*, code: str | None, error: str | None, exchange: str | None) -> str:
    """Where the demo app's redirect lands: shows the code and how to exchange it."""
    if error:
        body = (
            "<h1>Demo app: no code</h1>"
            f'<p class="error" role="alert">The server answered {escape(error)}.</p>'
        )
    else:
        body = (
            "<h1>Demo app: signed in</h1>"
            "<p>The authorisation server sent this page an authorisation code. It works once "
            "and only for a minute. Exchange it with the PKCE verifier:</p>"
            f'<pre aria-label="Authorisation code">{escape(code or "")}</pre>'
            f'<pre aria-label="Exchange command">{escape(exchange or "")}</pre>'
        )
    return _page("Demo app", body)
