"""Markdown to safe HTML, for everything editors write.

Rendered once, when a question is saved (never per request): markdown-it-py (CommonMark plus
tables) turns the Markdown into HTML, Pygments highlights fenced code, and nh3 strips everything
that is not on an explicit allow-list. The output carries no style attributes (the
Content-Security-Policy forbids inline styles; token colours come from `.highlight` rules in the
stylesheet) and no scriptable URLs.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "samp",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# No "style", no event handlers, no "id" (ids could clash with the page's own).
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
# Classes are limited to what Pygments emits (token classes on spans, the highlight wrapper)
# and our own hint list.
PYGMENTS_TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
ALLOWED_CLASSES = {
    "span": set(PYGMENTS_TOKEN_CLASSES),
    "pre": {"highlight"},
    "ol": {"hint-list"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math"},
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    # Token classes only (noclasses=False: no inline styles); we add the wrapper ourselves so
    # that markdown-it sees a finished <pre> and does not wrap it a second time.
    return HtmlFormatter(cssclass="highlight", nowrap=True, noclasses=False)


def _highlighted_block(code: str, lexer) -> str:
    return f'<pre class="highlight"><code>{highlight(code, lexer, _formatter())}</code></pre>'


def _lexer_for(language: str):
    language = (language or "").strip().split(maxsplit=1)[0].lower() if language else ""
    if not language:
        return TextLexer()
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return TextLexer()


def _highlight_fence(code: str, language: str, attrs) -> str:
    return _highlighted_block(code, _lexer_for(language))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False, "highlight": _highlight_fence}).enable("table")


def sanitise_html(html: str) -> str:
    """Strip everything not on the allow-list from an HTML fragment."""
    return _cleaner.clean(html)


def render_markdown(text: str) -> str:
    """Render editor-written Markdown to sanitised HTML. Pure: same input, same output."""
    if not text or not text.strip():
        return ""
    return sanitise_html(_markdown().render(text)).strip()


def highlight_code(code: str, *, language: str = "python") -> str:
    """Highlight a block of code as sanitised HTML (`<pre class="highlight"><code>...`)."""
    if not code or not code.strip():
        return ""
    lexer = PythonLexer() if language == "python" else _lexer_for(language)
    return sanitise_html(_highlighted_block(code, lexer)).strip()


def render_markdown_list(items: list[str], *, css_class: str = "hint-list") -> str:
    """Render each item as Markdown inside one ordered list (used for hints)."""
    rendered = [render_markdown(item) for item in items if item.strip()]
    if not rendered:
        return ""
    body = "".join(f"<li>{html}</li>" for html in rendered)
    return sanitise_html(f'<ol class="{css_class}">{body}</ol>')
