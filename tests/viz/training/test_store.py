"""The stored default results: made with the current defaults and schema, read back exactly; the shared cache."""

from __future__ import annotations

import json

import pytest

from viz.training.experiments import EXPERIMENTS, NAMES
from viz.training.results import SCHEMA, SchemaMismatch
from viz.training.store import ResultCache, load_stored, stored_path


@pytest.mark.parametrize("name", NAMES)
def test_stored_results_were_made_with_the_current_defaults(name):
    data = json.loads(stored_path(name).read_text())
    assert data["schema"] == SCHEMA, "rerun: python -m viz.training precompute"
    stored = load_stored(name)
    assert stored.settings == EXPERIMENTS[name].settings(), "rerun: python -m viz.training precompute " + name
    assert not stored.stopped and stored.computed_with.wall_seconds > 0
    assert EXPERIMENTS[name].result.from_json(stored.to_json()) == stored


def test_another_schema_is_refused():
    data = json.loads(stored_path("depth").read_text())
    with pytest.raises(SchemaMismatch):
        EXPERIMENTS["depth"].result.from_json({**data, "schema": SCHEMA - 1})


def test_the_cache_shares_finished_runs_only_and_is_bounded():
    cache = ResultCache(max_entries=2)
    stored = {name: load_stored(name) for name in ("depth", "augment", "multicrop")}
    for name, result in stored.items():
        cache.put(name, result.settings, result)
    assert len(cache) == 2 and cache.get("depth", stored["depth"].settings) is None  # the oldest went
    assert cache.get("multicrop", stored["multicrop"].settings) is stored["multicrop"]
    cache.put("augment", stored["augment"].settings, stored["augment"].as_stopped())
    assert cache.get("augment", stored["augment"].settings) is stored["augment"]  # a stopped run is not kept
