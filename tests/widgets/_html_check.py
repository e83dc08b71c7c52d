"""Parse rendered HTML back and say what a browser would build from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Every element and attribute the renderers may produce; anything else came from data.
ALLOWED: dict[str, frozenset[str]] = {
    "pre": frozenset({"class"}),
    "span": frozenset({"class", "title", "aria-hidden"}),
    "mark": frozenset({"class"}),
    "div": frozenset({"class", "role"}),
    "details": frozenset({"open"}),
    "summary": frozenset(),
    "table": frozenset({"class"}),
    "thead": frozenset(),
    "tbody": frozenset(),
    "tr": frozenset({"class", "aria-selected"}),
    "th": frozenset({"class", "scope"}),
    "td": frozenset({"class", "title", "colspan"}),
    "a": frozenset({"href", "target", "rel"}),
    "style": frozenset(),
}
_VOID = frozenset({"br", "img", "input", "meta", "link", "hr"})


@dataclass
class Parsed:
    tags: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    text: str = ""
    balanced: bool = True

    def attrs(self, tag: str, name: str) -> list[str | None]:
        return [v for t, attrs in self.tags if t == tag for k, v in attrs if k == name]

    def classes(self) -> set[str]:
        out: set[str] = set()
        for _, attrs in self.tags:
            for k, v in attrs:
                if k == "class" and v:
                    out.update(v.split())
        return out


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = Parsed()
        self.stack: list[str] = []
        self.chunks: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.result.tags.append((tag, attrs))
        if tag == "style":
            self.in_style = True
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.result.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        if not self.stack or self.stack.pop() != tag:
            self.result.balanced = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.chunks.append(data)

    def handle_comment(self, data: str) -> None:  # a comment can only come from data
        self.result.tags.append(("!--", []))

    def handle_decl(self, decl: str) -> None:
        self.result.tags.append(("!decl", []))

    def handle_pi(self, data: str) -> None:
        self.result.tags.append(("?pi", []))


def parse(html_text: str) -> Parsed:
    p = _Collector()
    p.feed(html_text)
    p.close()
    p.result.text = "".join(p.chunks)
    if p.stack:
        p.result.balanced = False
    return p.result


def assert_only_our_markup(html_text: str) -> Parsed:
    """No element, attribute or class that the renderers do not make; tags balanced."""
    parsed = parse(html_text)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED, f"unexpected element <{tag}> in {html_text[:300]!r}"
        for name, _ in attrs:
            assert name in ALLOWED[tag], f"unexpected attribute {name} on <{tag}>"
    for cls in parsed.classes():
        assert cls.startswith("dx-"), f"unexpected class {cls!r}"
    for href in parsed.attrs("a", "href"):
        assert href is not None
        assert href.startswith(("https://", "http://")), href
    assert parsed.balanced, "tags not balanced"
    return parsed


FSI, PDI = "\u2068", "\u2069"


def row_label_cells(label: str) -> list[str]:
    """The cells of a panel row label, checking that its only raw isolates are the panel's own:
    each cell's text in one balanced, unnested FSI ... PDI pair, and nothing but the padding
    (spaces) outside them. Any other raw bidi control is left in the cells for the caller's
    check to find."""
    cells: list[str] = []
    inside: list[str] | None = None
    for ch in label:
        if ch == FSI:
            assert inside is None, f"nested or unbalanced isolate in {label!r}"
            inside = []
        elif ch == PDI:
            assert inside is not None, f"a PDI with no FSI in {label!r}"
            cells.append("".join(inside))
            inside = None
        elif inside is not None:
            inside.append(ch)
        else:
            assert ch == " ", f"{ch!r} outside a cell's isolate in {label!r}"
    assert inside is None, f"an FSI never closed in {label!r}"
    return cells


def without_cell_isolates(label: str) -> str:
    """A row label as the user reads it: the panel's own cell isolates checked (see
    `row_label_cells`) and removed; everything else kept."""
    row_label_cells(label)
    return label.replace(FSI, "").replace(PDI, "")
