"""Markdown rendered to HTML, then sanitised with nh3: no script, no event handlers, no javascript: links."""

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


_local = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown converter: building one loads its extensions, most of a short text's time."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(
            extensions=["extra", "sane_lists"], output_format="html"
        )
    return converter


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown text written by a person."""
    converter = _converter()
    try:
        html = converter.convert(text or "")
    finally:
        converter.reset()
    return _CLEANER.clean(html)
