"""The stored default runs match the current defaults; the server's cache is bounded."""

from __future__ import annotations

import json

import pytest

from viz.training.__main__ import main
from viz.training.experiments import EXPERIMENTS, NAMES
from viz.training.results import METHODS, SCHEMA, EnsembleResult
from viz.training.settings import EnsembleSettings
from viz.training.store import ResultCache, load_stored, save, stored_for, stored_path


@pytest.mark.parametrize("name", NAMES)
def test_stored_results_match_the_current_defaults_and_schema(name):
    stored = load_stored(name)
    assert stored is not None, f"run `python -m viz.training precompute` to create {stored_path(name)}"
    assert json.loads(stored_path(name).read_text())["schema"] == SCHEMA
    defaults = EXPERIMENTS[name].settings()
    assert isinstance(stored, EXPERIMENTS[name].result) and stored.settings == defaults
    assert stored_for(name, defaults) == stored
    assert not stored.stopped and stored.computed_with is not None
    if name == "depth":
        assert len(stored.runs) == 2 * len(defaults.depths)
        assert all(len(r.loss) == defaults.steps and r.train_error is not None for r in stored.runs)
    elif name == "transfer":
        assert [m.name for m in stored.methods] == list(METHODS)
    else:
        assert len(stored.members) == len(stored.ensemble_accuracy) == defaults.k


def test_save_then_load_and_an_older_schema_is_not_read(tmp_path, ensemble_run):
    path = save(ensemble_run.result, tmp_path)
    assert path == tmp_path / "ensemble.json"
    assert load_stored("ensemble", tmp_path) == ensemble_run.result
    assert stored_for("ensemble", EnsembleSettings(), tmp_path) is None  # computed with other settings
    path.write_text(json.dumps({**json.loads(path.read_text()), "schema": SCHEMA - 1}))
    assert load_stored("ensemble", tmp_path) is None
    assert load_stored("depth", tmp_path) is None  # missing
    with pytest.raises(ValueError, match="unknown experiment"):
        stored_path("bogus")


def test_result_cache_is_bounded_lru_and_skips_stopped_runs():
    cache = ResultCache(max_entries=2)
    s = [EnsembleSettings(k=k) for k in (1, 2, 3, 4)]
    r = [EnsembleResult(x, 599) for x in s]
    cache.put("ensemble", s[0], r[0])
    cache.put("ensemble", s[1], r[1])
    assert cache.get("ensemble", s[0]) is r[0]  # now most recently used
    cache.put("ensemble", s[2], r[2])
    assert cache.get("ensemble", s[1]) is None and len(cache) == 2
    cache.put("ensemble", s[3], EnsembleResult(s[3], 599, stopped=True))
    assert cache.get("ensemble", s[3]) is None


def test_the_precompute_command_refuses_an_unknown_experiment(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["precompute", "bogus"])
    assert exit_.value.code == 2 and "unknown experiment(s) bogus" in capsys.readouterr().err
