"""How artifact Markdown becomes HTML, and which HTML may reach a reader's browser."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import itertools
import re
import threading
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


_converters = threading.local()
# For reading text: the same syntax, without the heading ids and permalinks.
_TEXT_EXTENSIONS = [name for name in MARKDOWN_EXTENSIONS if name != "toc"]


def _converter(name: str, extensions: list[str], configs: dict) -> markdown.Markdown:
    """This thread's converter `name`: setting up the extensions costs more than converting a paragraph."""
    converter = getattr(_converters, name, None)
    if converter is None:
        converter = markdown.Markdown(extensions=extensions, extension_configs=configs)
        setattr(_converters, name, converter)
    return converter.reset()


def render(body: str) -> str:
    """Artifact Markdown to HTML, unsanitised (the caller sanitises)."""
    return _converter("markdown", MARKDOWN_EXTENSIONS, MARKDOWN_EXTENSION_CONFIGS).convert(body)


def sanitise(fragment: str) -> str:
    """Keep only allowed tags, attributes and URL schemes; links get rel="noopener noreferrer"."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True)


class UnsafeMarkup:
    """One thing in an artifact's text that the sanitiser would have to remove."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message   # line: 1-based within the body


_CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)>\s]+)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:\s*<?([^>\s]+)", re.MULTILINE)
_ATTR_LIST = re.compile(r"\{:?([^}\n]*)\}")
_ATTRIBUTE = re.compile(r"([A-Za-z_:][-\w:.]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s}]+)")


def unsafe_markup(body: str) -> list[UnsafeMarkup]:
    """Scripts, embeds, event handlers and script-bearing URLs in an artifact's Markdown source.

    Markdown itself makes no scripts: they can only come from raw HTML, a link or image target, or
    an attribute list (`{: onclick=... }`). Those are read from the source, outside code, which is
    fast and gives exact lines; the build sanitises the rendered page as well, whatever this finds.
    """
    text = _without_code(body)
    found: list[UnsafeMarkup] = []
    if "<" in text:
        scanner = _Scanner()
        scanner.feed(text)
        scanner.close()
        found = scanner.found
    for match in itertools.chain(_LINK_TARGET.finditer(text), _REFERENCE.finditer(text)):
        scheme = _forbidden_scheme(match.group(1))
        if scheme:
            found.append(UnsafeMarkup(_line_at(text, match.start(1)), f"a {scheme}: URL in a link is not allowed"))
    for match in _ATTR_LIST.finditer(text):
        for name, value in _ATTRIBUTE.findall(match.group(1)):
            found += _attribute_problems(_line_at(text, match.start()), "an attribute list", name.lower(),
                                         value.strip("'\""))
    return sorted(found, key=lambda problem: problem.line)


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _without_code(body: str) -> str:
    """The body with code blocks and code spans blanked out, lines kept in place."""
    if "`" not in body and "~~~" not in body:
        return body
    lines, fenced = [], False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            lines.append("")
        elif fenced:
            lines.append("")
        else:
            lines.append(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return "\n".join(lines)


def _forbidden_scheme(url: str) -> str | None:
    cleaned = re.sub(r"[\s\x00-\x1f]+", "", html.unescape(url)).lower()
    return next((scheme[:-1] for scheme in FORBIDDEN_SCHEMES if cleaned.startswith(scheme)), None)


def _attribute_problems(line: int, where: str, name: str, value: str) -> list[UnsafeMarkup]:
    if name.startswith("on"):
        return [UnsafeMarkup(line, f"event handler attribute '{name}' on {where} is not allowed")]
    scheme = _forbidden_scheme(value) if name in URL_ATTRIBUTES and value else None
    if scheme:
        return [UnsafeMarkup(line, f"a {scheme}: URL in {name}= on {where} is not allowed")]
    return []


# Text that Markdown leaves as one paragraph of the same words: every line starts with a letter (no
# list, heading, quote, code, table or definition can start), no whitespace but spaces (a tab
# becomes spaces), and no character that any inline syntax or extension needs (no emphasis, link,
# code, HTML, entity, escape, footnote, abbreviation, attribute list, admonition or hard break). tests/test_properties.py holds this
# to Python-Markdown's own rendering.
_PLAIN_PARAGRAPH = re.compile(r"(?:[^\W\d_](?:[^\s*_`\[\]<>&\\|{}~!^=#+]| )*?(?<!  )(?:\n|\Z))+")
_PLAIN_HEADING = re.compile(r"#{1,6} +([^\W_](?:[^\s*_`\[\]<>&\\|{}~!^=#+]| )*)")  # the same, after a '## '



@functools.lru_cache(maxsize=8192)
def plain_text(markdown_text: str) -> str:
    """What a reader sees of some Markdown, as text: list items on their own lines."""
    if _PLAIN_PARAGRAPH.fullmatch(markdown_text):
        return " ".join(markdown_text.split())
    heading = _PLAIN_HEADING.fullmatch(markdown_text)
    if heading:
        return " ".join(heading.group(1).split())
    return _rendered_text(markdown_text)


def _rendered_text(markdown_text: str) -> str:
    collector = _TextCollector()
    collector.feed(_converter("text", _TEXT_EXTENSIONS, {}).convert(markdown_text))
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


# The generator's own templates wrap every page, and sanitising leaves the content with quoted
# attributes and no raw `<` in text, so two patterns read a finished page exactly, at a fraction of
# an HTML parser's cost (tests compare them with a spec-compliant parser on every example page).
# A script element's text ends at the first `</script`, as the HTML tokenizer has it.
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.I)
_SCRIPT_SRC = re.compile(r"\ssrc\s*=", re.I)
_ELEMENT_ID = re.compile(r"""<[A-Za-z][^<>]*?\sid=(?:"([^"]*)"|'([^']*)')""")


def inline_scripts(document: str) -> list[str]:
    """The text of every inline script a browser would run, in document order."""
    scripts = []
    for attributes, code in _SCRIPT.findall(document):
        kind = _SCRIPT_TYPE.search(attributes)
        if not _SCRIPT_SRC.search(attributes) and (kind.group(1).lower() if kind else "") in _JAVASCRIPT_TYPES:
            scripts.append(code)
    return scripts


def with_content_security_policy(document: str) -> str:
    """The page with a CSP <meta> first in <head>, allowing its own inline scripts by SHA-256."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"
                     for code in inline_scripts(document)})
    directives = dict(CSP_DIRECTIVES)
    directives["script-src"] = " ".join([directives["script-src"], *hashes])
    policy = "; ".join(f"{name} {value}" for name, value in directives.items())
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=False)}">'
    return document.replace("<head>", "<head>" + meta, 1)


def element_ids(document: str) -> set[str]:
    """Every id in an HTML page: the anchors a link into it may use."""
    return {html.unescape(double or single) for double, single in _ELEMENT_ID.findall(document)} - {""}


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[UnsafeMarkup] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag in FORBIDDEN_TAGS:
            self.found.append(UnsafeMarkup(line, f"raw <{tag}> is not allowed in a disclosure"))
        elif _forbidden_scheme(tag):  # an autolink such as <javascript:...>
            self.found.append(UnsafeMarkup(line, f"a {_forbidden_scheme(tag)}: URL in a link is not allowed"))
        for name, value in attrs:
            self.found += _attribute_problems(line, f"<{tag}>", name, value or "")

    handle_startendtag = handle_starttag
