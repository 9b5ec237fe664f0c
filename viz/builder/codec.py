"""A design as JSON (a file the builder loads again) and as a compact link parameter.

The JSON file::

    {"format": "cnn-explorer-design", "version": 1, "name": "lenet5", "input": [1, 32, 32],
     "rows": [{"layer": "conv", "stage": "c1", "c": 6, "k": 5, "p": 0, "act": "tanh", "bn": false}, …]}

One object per row: ``layer`` (a kind id of :data:`viz.builder.rows.KINDS`), ``stage`` when it
has one, and the columns its kind uses. The link (``?d=…``) holds the same object without
``format`` and ``version``, as compact JSON, zlib-compressed and base64url-encoded, after a
version tag: ``1.eJy…``. At most :data:`MAX_LINK_CHARS` characters (a 61-row EfficientNet-B7
takes about 450); a larger design is shared as a file.

Reading is strict about the structure and lets the table judge the values: a file or link
that is not such an object, too long, damaged, with unknown keys or with values that are no
plain numbers or text, is refused with a ``ValueError`` saying what was wrong (any text from
it only as a code span) — the page shows it as a notice and keeps the design it had. Values
out of range (``c = 0``) load, and the table marks their row, as if typed.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from typing import Any

from viz.builder.design import INPUT_LIMITS, MAX_ROWS, Design
from viz.builder.rows import COLUMNS, KINDS, Row, normalise
from viz.formatting import user_value

FORMAT = "cnn-explorer-design"
VERSION = 1
LINK_VERSION = "1"
MAX_LINK_CHARS = 2000  # the classic safe length of a URL; a 61-row EfficientNet-B7 takes ~450
MAX_FILE_BYTES = 256 * 1024
_MAX_TEXT = 100  # characters of any one text value
_NAME_CHARS = 40
_ROW_KEYS = ("layer", "stage", *COLUMNS)


# --------------------------------------------------------------------------------- writing


def row_dict(row: Row) -> dict[str, Any]:
    """One row as the file writes it: layer, stage (if any), the columns with a value."""
    out: dict[str, Any] = {"layer": row.kind}
    if row.stage:
        out["stage"] = row.stage
    out.update(row.values())
    return out


def design_dict(design: Design) -> dict[str, Any]:
    return {"name": design.name, "input": list(design.input), "rows": [row_dict(r) for r in design.rows]}


def to_json(design: Design) -> str:
    """The design file's text (indented, one row per line)."""
    body = design_dict(design)
    rows = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in body["rows"])
    head = json.dumps({"format": FORMAT, "version": VERSION, "name": design.name, "input": body["input"]},
                      ensure_ascii=False)
    return head[:-1] + ', "rows": [\n' + rows + ("\n" if rows else "") + "]}\n"


def to_link(design: Design) -> str:
    """The design as a link parameter's value; ``ValueError`` past :data:`MAX_LINK_CHARS`."""
    text = json.dumps(design_dict(design), separators=(",", ":"), ensure_ascii=False)
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")
    value = f"{LINK_VERSION}.{packed}"
    if len(value) > MAX_LINK_CHARS:
        raise ValueError(f"This design is too large for a link ({len(value):,} characters; at most "
                         f"{MAX_LINK_CHARS:,}): share the design file instead (the 'Design (.json)' download below).")
    return value


def link_of(design: Design) -> str | None:
    """The link parameter a page keeps in its address: None for an empty design or one too large
    for a link (the page then says so, :func:`to_link`'s message, and offers the file)."""
    if not design.rows:
        return None
    try:
        return to_link(design)
    except ValueError:
        return None


# --------------------------------------------------------------------------------- reading


def _scalar(where: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where} is not a finite number.")
        if abs(value) > 1e9:
            raise ValueError(f"{where} is {user_value(value)}, far beyond any allowed value.")
        return value
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise ValueError(f"{where} is text of {len(value)} characters (at most {_MAX_TEXT}).")
        return value
    raise ValueError(f"{where} must be a number, text, true/false or null; got a {type(value).__name__}.")


def _input(value: Any) -> tuple[int, int, int]:
    lo_c, hi_c = INPUT_LIMITS["channels"]
    lo_s, hi_s = INPUT_LIMITS["side"]
    allowed = (f"[channels, height, width]: channels {lo_c}–{hi_c}, height and width {lo_s}–{hi_s} "
               "(e.g. [3, 224, 224])")
    if not isinstance(value, list) or len(value) != 3 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValueError(f"The input must be {allowed}; got {user_value(json.dumps(value)[:60])}.")
    c, h, w = value
    if not (lo_c <= c <= hi_c and lo_s <= h <= hi_s and lo_s <= w <= hi_s):
        raise ValueError(f"The input must be {allowed}; got {user_value(json.dumps(value))}.")
    return c, h, w


def _row(number: int, value: Any) -> Row:
    if not isinstance(value, dict):
        raise ValueError(f"Row {number} must be an object such as {{\"layer\": \"conv\", \"c\": 64}}; "
                         f"got a {type(value).__name__}.")
    unknown = sorted(set(value) - set(_ROW_KEYS))
    if unknown:
        raise ValueError(f"Row {number} has unknown key(s) {', '.join(user_value(k) for k in unknown[:5])}; "
                         f"a row may have: {', '.join(_ROW_KEYS)}.")
    fields = {key: _scalar(f"Row {number}'s {key}", v) for key, v in value.items()}
    layer = fields.pop("layer", None)
    if layer not in KINDS:
        raise ValueError(f"Row {number}'s layer is {user_value(layer)}; it must be one of: {', '.join(KINDS)}.")
    stage = fields.pop("stage", None) or ""
    if not isinstance(stage, str):
        raise ValueError(f"Row {number}'s stage must be text; got {user_value(stage)}.")
    return normalise(dict(kind=layer, stage=stage, **fields))


def _name(value: Any) -> str:
    if value is None:
        return "my_network"
    if not isinstance(value, str):
        raise ValueError(f"The design's name must be text; got a {type(value).__name__}.")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", value.strip())[:_NAME_CHARS].strip("_") or "my_network"


def from_dict(data: Any) -> Design:
    """A design from its object (the file's, or the link's); ``ValueError`` if it is not one."""
    if not isinstance(data, dict):
        raise ValueError("A design is a JSON object with \"input\" and \"rows\"; got "
                         f"{'a list' if isinstance(data, list) else 'a ' + type(data).__name__}.")
    if "format" in data and data["format"] != FORMAT:
        raise ValueError(f"This is not a network design of this app (format {user_value(data['format'])}; "
                         f"expected {user_value(FORMAT)}).")
    if "version" in data and data["version"] != VERSION:
        raise ValueError(f"Design version {user_value(data['version'])} is not known here (this app reads "
                         f"version {VERSION}).")
    unknown = sorted(set(data) - {"format", "version", "name", "input", "rows"})
    if unknown:
        raise ValueError(f"Unknown key(s) {', '.join(user_value(k) for k in unknown[:5])} in the design; it may "
                         "have: format, version, name, input, rows.")
    rows = data.get("rows", [])
    if not isinstance(rows, list):
        raise ValueError("The design's \"rows\" must be a list of rows.")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"The design has {len(rows)} rows; at most {MAX_ROWS} can be built here.")
    return Design(input=_input(data.get("input")), rows=tuple(_row(i, r) for i, r in enumerate(rows, start=1)),
                  name=_name(data.get("name")))


def from_json(source: str | bytes) -> Design:
    """A design from a design file's text or bytes (at most :data:`MAX_FILE_BYTES`)."""
    size = len(source)
    if size > MAX_FILE_BYTES:
        raise ValueError(f"The design file is {size:,} bytes; at most {MAX_FILE_BYTES:,} (a 100-row design "
                         "takes about 10,000).")
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"The file is not a design: it is not JSON text ({user_value(str(error), 120)}). "
                         "Load a .json file saved by this page (its 'Design (.json)' download).") from None
    return from_dict(data)


def from_link(value: str) -> Design:
    """A design from a link parameter (see :func:`to_link`); ``ValueError`` if it is not one."""
    if not isinstance(value, str) or not value:
        raise ValueError("The link's design is empty.")
    if len(value) > MAX_LINK_CHARS:
        raise ValueError(f"The link's design is {len(value):,} characters long; at most {MAX_LINK_CHARS:,}.")
    version, dot, packed = value.partition(".")
    if not dot or version != LINK_VERSION:
        raise ValueError(f"The link's design does not start with {user_value(LINK_VERSION + '.')}: it is damaged "
                         "or from another app.")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", packed):
        raise ValueError("The link's design holds characters a design never has: it is damaged.")
    try:
        compressed = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(compressed, MAX_FILE_BYTES)
        if unpacker.unconsumed_tail or not unpacker.eof:
            raise ValueError("the design is incomplete or larger than a design can be")
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise ValueError(f"The link's design could not be read ({user_value(str(error), 120)}): the link is "
                         "damaged or cut short.") from None
    return from_dict(data)
