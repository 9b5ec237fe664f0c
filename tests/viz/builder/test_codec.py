"""A design as JSON and as a link (issue 17): round trips, the size cap, hostile and damaged input."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest

import architectures
from viz.builder import codec
from viz.builder.design import Design, evaluate
from viz.builder.rows import normalise
from viz.builder.start import design_from_zoo


@pytest.mark.parametrize("name", list(architectures.NETWORKS))
def test_json_and_link_round_trips_of_every_zoo_design(name):
    design = design_from_zoo(name)
    assert codec.from_json(codec.to_json(design)) == design
    link = codec.to_link(design)
    assert codec.from_link(link) == design
    assert len(link) < 800  # EfficientNet-B7's 61 rows included: far under the cap


def test_the_file_reads_like_the_table():
    text = codec.to_json(design_from_zoo("lenet5"))
    data = json.loads(text)
    assert data["format"] == "cnn-explorer-design" and data["version"] == 1 and data["input"] == [1, 32, 32]
    # LeCun et al. 1998: C1 is 6 filters of 5×5 (valid), tanh, no batch norm.
    assert data["rows"][0] == {"layer": "conv", "stage": "c1", "c": 6, "k": 5, "s": 1, "p": 0, "groups": 1,
                               "act": "tanh", "bn": False}
    assert data["rows"][1] == {"layer": "avgpool", "stage": "s2", "k": 2, "ceil": False}  # blank s: s = f
    assert text.count("\n") == 1 + len(data["rows"]) + 1  # the head, one line per row, the end


def test_a_design_with_errors_round_trips_as_typed():
    design = Design((3, 32, 32), (normalise(dict(kind="conv", c=0)), normalise(dict(kind="fc", c=10))), "x")
    assert codec.from_json(codec.to_json(design)) == design
    assert codec.from_link(codec.to_link(design)) == design
    assert evaluate(codec.from_link(codec.to_link(design))).errors[0].startswith("row 1: c must be")


def test_the_link_cap_has_a_clear_message():
    rng = np.random.default_rng(0)
    stages = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), 24)) for _ in range(100)]
    big = Design((3, 32, 32), tuple(normalise(dict(kind="act", stage=s)) for s in stages))
    with pytest.raises(ValueError, match=r"too large for a link \([\d,]+ characters; at most 2,000\): share the "
                                         r"design file"):
        codec.to_link(big)
    assert codec.from_json(codec.to_json(big)) == big  # the file still holds it


def _packed(obj) -> str:
    text = obj if isinstance(obj, str) else json.dumps(obj)
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode())).decode().rstrip("=")


@pytest.mark.parametrize("value, match", [
    ("", "empty"),
    ("hello", "does not start with `1.`"),
    ("2.abc", "does not start with `1.`"),
    ("1.<script>", "characters a design never has"),
    ("1.abc", "could not be read"),
    ("1." + "A" * 1998, "could not be read"),
    ("1." + "A" * 2000, "at most 2,000"),
    (_packed("[1, 2"), "could not be read"),
    (_packed([1, 2]), "got a list"),
    (_packed({"input": [3, 224, 224], "rows": [], "evil": 1}), r"Unknown key\(s\) `evil`"),
    (_packed({"input": [3, 0, 224], "rows": []}), "The input must be"),
    (_packed({"input": [3, 224], "rows": []}), "The input must be"),
    (_packed({"input": [3, 224, 224], "rows": {"a": 1}}), "must be a list"),
    (_packed({"input": [3, 224, 224], "rows": [1]}), "Row 1 must be an object"),
    (_packed({"input": [3, 224, 224], "rows": [{"layer": "rm -rf"}]}), r"layer is `rm -rf`"),
    (_packed({"input": [3, 224, 224], "rows": [{"layer": "conv", "c": [64]}]}), "must be a number, text"),
    (_packed({"input": [3, 224, 224], "rows": [{"layer": "conv", "c": 1e300}]}), "far beyond"),
    (_packed('{"input": [3, 224, 224], "rows": [{"layer": "conv", "c": NaN}]}'), "not a finite number"),
    (_packed({"input": [3, 224, 224], "rows": [{"layer": "conv", "x": 1}]}), r"unknown key\(s\) `x`"),
    (_packed({"input": [3, 224, 224], "rows": [{"layer": "act"}] * 101}), "at most 100"),
    (_packed({"format": "other", "input": [3, 224, 224], "rows": []}), "not a network design"),
    (_packed("[" * 100_000 + "]" * 100_000), "could not be read|too large|larger"),
])
def test_hostile_links_are_refused_with_a_message(value, match):
    with pytest.raises(ValueError, match=match):
        codec.from_link(value)


def test_a_decompression_bomb_is_cut_off():
    bomb = "1." + base64.urlsafe_b64encode(zlib.compress(b" " * 50_000_000, 9)).decode().rstrip("=")
    assert len(bomb) < 2000 * 40  # ~48 KB of link for 50 MB of text
    with pytest.raises(ValueError):
        codec.from_link(bomb)
    small_bomb = "1." + base64.urlsafe_b64encode(zlib.compress(b"{" + b" " * 10_000_000, 9)).decode().rstrip("=")
    if len(small_bomb) <= codec.MAX_LINK_CHARS:
        with pytest.raises(ValueError, match="incomplete or larger"):
            codec.from_link(small_bomb)


def test_link_text_in_messages_is_a_code_span():
    with pytest.raises(ValueError) as caught:
        codec.from_link(_packed({"input": [3, 224, 224], "rows": [{"layer": "**bold** [x](https://evil.example)"}]}))
    assert "`**bold** [x](https://evil.example)`" in str(caught.value)


@pytest.mark.parametrize("data, match", [
    (b"\xff\xfe not utf-8", "not JSON text"),
    (b"not json", "not JSON text"),
    (b" " * (codec.MAX_FILE_BYTES + 1), "at most 262,144"),
    (json.dumps({"format": "cnn-explorer-design", "version": 2, "input": [3, 8, 8], "rows": []}).encode(),
     "version `2` is not known"),
])
def test_bad_design_files(data, match):
    with pytest.raises(ValueError, match=match):
        codec.from_json(data)


def test_names_are_made_safe_for_file_names():
    design = codec.from_dict({"name": "../../etc/passwd <x>", "input": [3, 8, 8], "rows": []})
    assert design.name == "etc_passwd_x"
