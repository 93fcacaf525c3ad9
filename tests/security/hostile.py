"""Hostile input for the security tests: an XSS corpus and a check that a page left it inert;
values that break parsers, which tests/site/test_hostile_input.py sends to every parameter of
every view."""

import re
from html.parser import HTMLParser

# Every payload carries this marker, so that the scanner can tell the payload's pieces from the
# page's own markup.
MARK = "xss1337"

XSS_PAYLOADS = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=alert('{MARK}')>",
    f"<svg onload=alert('{MARK}')>",
    f"<svg><script>alert('{MARK}')</script></svg>",
    f'"><script>alert("{MARK}")</script>',
    f"'><img src=x onerror=alert('{MARK}')>",
    f"\" autofocus onfocus=\"alert('{MARK}')",
    f"' onmouseover='alert(\"{MARK}\")",
    f"javascript:alert('{MARK}')",
    f"[click me](javascript:alert('{MARK}'))",
    f"<a href=\"javascript:alert('{MARK}')\">{MARK}</a>",
    f"[data](data:text/html,<script>alert('{MARK}')</script>)",
    f"<iframe src=\"data:text/html,<script>alert('{MARK}')</script>\"></iframe>",
    f'<a hx-post="/{MARK}/" hx-trigger="load {MARK}">{MARK}</a>',
    f"<div style=\"background:url(javascript:alert('{MARK}'))\">{MARK}</div>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>",
    f"</textarea><script>alert('{MARK}')</script>",
    f"</title><script>alert('{MARK}')</script>",
    f"{{{{ request.user.password }}}}{{% debug %}}{{% now 'Y' %}}{MARK}",
    f"![img](x\" onerror=\"alert('{MARK}'))",
]
PAYLOAD_IDS = [f"payload{n}" for n in range(len(XSS_PAYLOADS))]

# Attributes whose value a browser loads or runs as a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
SCRIPTABLE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# Elements user text must never create.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base", "applet", "mglyph"}


class _Scanner(HTMLParser):
    """Collects every way the page could run something that came from the payload."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.raw_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag in ("script", "style"):
            self.raw_tag = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw_tag:
            self.raw_tag = None

    def handle_data(self, data: str) -> None:
        if self.raw_tag and MARK in data:
            self.problems.append(f"<{self.raw_tag}> holds the payload: {data[:80]!r}")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if MARK in tag or tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element created")
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.problems.append("inline <script> element")
        for name, value in attrs:
            value = value or ""
            if MARK in name or '"' in name or "'" in name:
                self.problems.append(f"attribute name {name!r} on <{tag}>: broke out of a value")
            if (name.startswith("on") or name.startswith("hx-") or name.startswith("data-hx")) and (
                MARK in value
            ):
                self.problems.append(f"{name}={value[:60]!r} on <{tag}>")
            if name == "style" and MARK in value:
                self.problems.append(f"style={value[:60]!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(SCRIPTABLE_SCHEMES):
                self.problems.append(f"{name}={value[:60]!r} on <{tag}>")


def inert_problems(html: str, payload: str) -> list[str]:
    """What in `html` shows that `payload` was not neutralised (empty when it is inert)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    problems = scanner.problems
    if "<" in payload and payload in html:
        problems.append("the payload appears unescaped")
    if "md5$" in html:  # tests hash passwords with MD5: a template ran {{ user.password }}
        problems.append("a password hash leaked: user text was rendered as a template")
    return problems


def assert_inert(response, payload: str, *, shown: bool = True, where: str = "") -> None:
    """The response is a page that shows `payload` (if `shown`) as harmless text."""
    where = where or response.request.get("PATH_INFO", "")
    assert response.status_code == 200, f"{where}: status {response.status_code}"
    html = response.content.decode()
    problems = inert_problems(html, payload)
    assert not problems, f"{where} is not inert for {payload!r}:\n" + "\n".join(problems)
    if shown:
        assert MARK in html, f"{where} does not show the text at all (test would prove nothing)"


# Values a view must answer with a page, a form error, a redirect or a 4xx, never a 500, whatever
# parameter they arrive in. The keys name them in failure reports.
HOSTILE_VALUES = {
    "a superscript digit (isdigit() but not int())": "²",
    "Arabic-Indic digits (int() reads them)": "٣",
    "full-width digits": "１２",
    "a sign and spaces": " +7 ",
    "an underscore (int() reads it)": "1_0",
    "a negative number": "-1",
    "a number past 64 bits": str(2**63),
    "a huge number": "9" * 40,
    "a fraction": "1.5",
    "an overflowing float": "1e309",
    "not a number": "NaN",
    "empty": "",
    "whitespace": " \t\r\n ",
    "a NUL character": "\x00",
    "10 KB": "x" * 10_240,
    "a JSON object (wrong type)": '{"id": 1}',
    "a list (wrong type)": "[1, 2]",
    "a date that is no date": "2031-13-45T25:61",
    "an emoji and a right-to-left mark": "\U0001f600\u202e",
}


def repeated_values(valid: str) -> dict[str, list[str]]:
    """Repeated keys: what a view reading one value gets when a parameter comes twice (`valid` is
    the value the request carries otherwise)."""
    return {
        "repeated: valid then hostile": [valid, "²"],
        "repeated: the valid value twice": [valid, valid],
    }


def hostile_names(name: str) -> dict[str, str]:
    """Field names that carry an id (covered-12): the same name with the id made hostile."""
    number = re.search(r"[0-9]+", name)
    if number is None:
        return {}
    before, after = name[: number.start()], name[number.end() :]
    return {
        f"the id in the name is {label}": f"{before}{value}{after}"
        for label, value in [
            ("a superscript digit", "²"),
            ("Arabic-Indic", "٣"),
            ("negative", "-1"),
            ("past 64 bits", str(2**63)),
            ("empty", ""),
        ]
    }
