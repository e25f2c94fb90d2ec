"""How artifact Markdown becomes HTML, and which HTML may reach a reader's browser."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser

import markdown
import nh3

# The Markdown dialect of artifact bodies, shared by the check and the site build.
MARKDOWN_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
    "toc", "pymdownx.details", "pymdownx.superfences",
]
MARKDOWN_EXTENSION_CONFIGS = {"toc": {"permalink": True}}

# What a page may contain after sanitising: enough for Material's rendering of Markdown.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-describedby"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "details": {"open"},
    "time": {"datetime"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Elements whose presence in an artifact means someone tried to run or embed something.
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta",
    "style", "form", "input", "button", "textarea", "select", "svg", "math", "template", "portal",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "background",
                  "xlink:href", "data", "cite"}
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")


def render(body: str) -> str:
    """Artifact Markdown to HTML, unsanitised (the caller sanitises)."""
    return markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS,
                             extension_configs=MARKDOWN_EXTENSION_CONFIGS)


def sanitise(fragment: str) -> str:
    """Keep only allowed tags, attributes and URL schemes; links get rel="noopener noreferrer"."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True)


class UnsafeMarkup:
    """One thing in an artifact's HTML that the sanitiser would have to remove."""

    def __init__(self, needle: str, message: str):
        self.needle, self.message = needle, message


def unsafe_markup(body: str) -> list[UnsafeMarkup]:
    """Scripts, embeds, event handlers and script-bearing URLs in the rendered body."""
    scanner = _Scanner()
    scanner.feed(render(body))
    scanner.close()
    return scanner.found


def line_of(body: str, needle: str, first_line: int) -> int:
    """The file line on which `needle` first appears in the body (case-insensitive)."""
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    for number, text in enumerate(body.split("\n")):
        if pattern.search(text):
            return first_line + number
    return first_line


def plain_text(markdown_text: str) -> str:
    """What a reader sees of some Markdown, as text: list items on their own lines."""
    collector = _TextCollector()
    collector.feed(render(markdown_text))
    collector.close()
    text = re.sub(r" {2,}", " ", "".join(collector.parts))
    return re.sub(r" *\n[ \n]*", "\n", text).strip()


class _TextCollector(HTMLParser):
    _BREAKS = {"p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        elif tag == "tr":
            self.cells = 0
        elif tag in ("td", "th"):
            self.parts.append(" | " if self.cells else "")
            self.cells += 1
        elif tag == "a" and ("class", "headerlink") in attrs:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


# Only the site's own files may run or style a page; inline scripts are allowed by their hash.
# frame-ancestors cannot be set from a <meta>: the README lists it with the other HTTP headers.
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
_JAVASCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def with_content_security_policy(document: str) -> str:
    """The page with a CSP <meta> first in <head>, allowing its own inline scripts by SHA-256."""
    collector = _InlineScripts()
    collector.feed(document)
    collector.close()
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"
                     for code in collector.scripts})
    directives = dict(CSP_DIRECTIVES)
    directives["script-src"] = " ".join([directives["script-src"], *hashes])
    policy = "; ".join(f"{name} {value}" for name, value in directives.items())
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=False)}">'
    return re.sub(r"<head>", lambda m: m.group(0) + meta, document, count=1)


class _InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            attributes = dict(attrs)
            self._inside = "src" not in attributes and (attributes.get("type") or "").lower() in _JAVASCRIPT_TYPES
            if self._inside:
                self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def element_ids(document: str) -> set[str]:
    """Every id in an HTML document: the anchors a link into it may use."""
    collector = _IdCollector()
    collector.feed(document)
    collector.close()
    return collector.ids


class _IdCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id" and value)


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[UnsafeMarkup] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.found.append(UnsafeMarkup(f"<{tag}", f"raw <{tag}> is not allowed in a disclosure"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(UnsafeMarkup(name, f"event handler attribute '{name}' on <{tag}> "
                                                     "is not allowed"))
            elif name in URL_ATTRIBUTES and value:
                cleaned = re.sub(r"[\s\x00-\x1f]+", "", html.unescape(value)).lower()
                for scheme in FORBIDDEN_SCHEMES:
                    if cleaned.startswith(scheme):
                        self.found.append(UnsafeMarkup(scheme[:-1],
                                                       f"a {scheme} URL in {name}= on <{tag}> is not allowed"))

    handle_startendtag = handle_starttag
