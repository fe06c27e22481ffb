"""Markdown to safe HTML: markdown-it-py (CommonMark, raw HTML off) renders, then nh3 (the
Rust ammonia sanitiser) keeps only an allowlist of tags, attributes and URL schemes.

Two layers on purpose: the renderer never emits raw HTML from the source, and the sanitiser
would still strip a script, an event handler or a `javascript:`/`data:` URL if a renderer
bug or plugin ever let one through. Rendering happens on write (see `render`); the HTML is
stored beside its Markdown so reads never run either library.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_renderer.enable(["table", "strikethrough"])


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(markdown: str) -> str:
    """Safe HTML for a Markdown text."""
    if not markdown.strip():
        return ""
    return sanitise(_renderer.render(markdown))


def is_safe_url(url: str, schemes: frozenset[str] = URL_SCHEMES) -> bool:
    """An absolute URL with an allowed scheme (no javascript:, data:, vbscript: ...)."""
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    parts = urlsplit(url)
    if parts.scheme.lower() not in schemes:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)
