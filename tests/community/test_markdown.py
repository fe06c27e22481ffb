"""Markdown comes out as safe HTML: scripts, event handlers and javascript:/data: links never
survive the renderer and sanitiser, and the allowed formatting does."""

from __future__ import annotations

import pytest

from domain.community.markdown import is_safe_url, render, sanitise
from tests.community.helpers import assert_inert

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_out_inert(payload: str) -> None:
    assert_inert(render(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_alone_strips_raw_html(payload: str) -> None:
    # The second layer on its own, as if a renderer bug let raw HTML through.
    html = sanitise(payload)
    assert_inert(html)
    assert "<script" not in html.lower()
    assert "alert(1)</script>" not in html


def test_formatting_and_safe_links_survive() -> None:
    html = render(
        "# Title\n\n**bold** _em_ `code`\n\n- one\n- two\n\n"
        "[NIRN](https://nirn.fpg.unc.edu) and [mail](mailto:team@example.org)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://nirn.fpg.unc.edu" rel="noopener noreferrer nofollow">NIRN</a>' in html
    assert 'href="mailto:team@example.org"' in html
    assert "<table>" in html


def test_raw_html_is_shown_as_text() -> None:
    assert render("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("mailto:someone@example.org", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,hi", False),
        ("//example.org", False),
        ("/relative", False),
        ("https://exa mple.org", False),
        ("java\nscript:alert(1)", False),
    ],
)
def test_safe_urls(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe
