"""render_markdown(): Markdown in, sanitised HTML out; every XSS payload comes out inert."""

from html.parser import HTMLParser

import pytest

from questions.markdown import (
    ALLOWED_TAGS,
    highlight_code,
    render_markdown,
    render_markdown_list,
)

SAFE_TAGS = ALLOWED_TAGS
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _Inspector(HTMLParser):
    """Collects every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "id"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src", "xlink:href", "action"}:
                url = (value or "").strip().lower()
                if ":" in url.split("/")[0] and not url.startswith(SAFE_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert not inspector.problems, (inspector.problems, html)


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pic](javascript:alert(1))",
    '![pic](x" onerror="alert(1))',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=evil.swf></object>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">hello</p>',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    "<form action=https://evil.example><input name=p></form>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\n<b>x</b>\n```',
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "<details open ontoggle=alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_renders_every_xss_payload_inert(payload):
    html = render_markdown(payload)

    assert_inert(html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_keeps_hint_lists_inert_too(payload):
    html = render_markdown_list([payload.replace("\n", " ")])

    assert_inert(html)


def test_it_shows_raw_html_as_text_rather_than_dropping_it():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_it_renders_commonmark():
    html = render_markdown("# Title\n\nSome *emphasis*, **strong** and `code`.\n\n- one\n- two")

    assert "<h1>Title</h1>" in html
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html


def test_it_renders_tables():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")

    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html


def test_it_keeps_safe_links_and_marks_them_nofollow():
    html = render_markdown(
        "[docs](https://docs.python.org/3/) [home](/questions/) [m](mailto:a@b.c)"
    )

    assert (
        '<a href="https://docs.python.org/3/" rel="noopener noreferrer nofollow">docs</a>' in html
    )
    assert '<a href="/questions/" rel="noopener noreferrer nofollow">home</a>' in html
    assert 'href="mailto:a@b.c"' in html


def test_it_drops_links_with_other_schemes():
    html = render_markdown("[f](ftp://files.example/x) [p](file:///etc/passwd)")

    assert 'href="ftp:' not in html
    assert 'href="file:' not in html


def test_it_highlights_fenced_python_with_classes_not_styles():
    html = render_markdown('```python\ndef greet(name):\n    return f"hi {name}"\n```')

    assert html.startswith('<pre class="highlight"><code>')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">greet</span>' in html
    assert "style=" not in html


def test_it_escapes_code_in_unknown_languages():
    html = render_markdown("```nosuchlanguage\n<b>x</b>\n```")

    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html


def test_highlight_code_returns_a_highlighted_block():
    html = highlight_code('print("<b>")')

    assert html.startswith('<pre class="highlight"><code>')
    assert '<span class="nb">print</span>' in html
    assert "&lt;b&gt;" in html


def test_it_is_pure_and_treats_blank_input_as_empty():
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""
    assert highlight_code("") == ""
    assert render_markdown_list([]) == ""
    assert render_markdown("*x*") == render_markdown("*x*")


def test_hint_lists_render_each_hint():
    html = render_markdown_list(["Think about `hash()`", "What can change?"])

    assert html.startswith('<ol class="hint-list">')
    assert html.count("<li>") == 2
    assert "<code>hash()</code>" in html


def test_it_never_turns_editor_typed_html_into_elements():
    html = render_markdown('<span class="k" id="main">x</span>')

    assert "<span" not in html
    assert html == '<p>&lt;span class="k" id="main"&gt;x&lt;/span&gt;</p>'


def test_the_sanitiser_itself_strips_what_markdown_might_let_through():
    from questions.markdown import sanitise_html

    html = sanitise_html(
        '<p class="evil" style="color:red" onclick="x()">a</p><span class="k bogus">b</span>'
        '<a href="javascript:alert(1)">c</a><img src="data:image/png;base64,AAAA" alt="d">'
    )

    assert html == (
        '<p>a</p><span class="k">b</span><a rel="noopener noreferrer nofollow">c</a><img alt="d">'
    )
