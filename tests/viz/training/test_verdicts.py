"""The one-sentence verdicts are computed from the numbers, whichever way they go."""

from __future__ import annotations

from viz.training.results import (
    DepthResult,
    DepthRun,
    EnsembleMember,
    EnsembleResult,
    TransferMethod,
    TransferResult,
)
from viz.training.settings import DepthSettings, EnsembleSettings, TransferSettings
from viz.training.verdicts import depth_verdict, ensemble_verdict, transfer_verdict


def _depth(errors, **kw) -> DepthResult:
    runs = tuple(DepthRun(d, res, d, 0, train_error=e) for (d, res), e in errors.items())
    return DepthResult(DepthSettings(), runs, **kw)


def test_depth_verdict_is_computed_from_the_numbers():
    shows = _depth({(8, False): 0.01, (56, False): 0.30, (8, True): 0.01, (56, True): 0.0})
    fails = _depth({(8, False): 0.05, (56, False): 0.01, (8, True): 0.01, (56, True): 0.0})
    partly = _depth({(8, False): 0.0, (56, False): 0.80, (8, True): 0.0, (56, True): 0.02})
    assert depth_verdict(shows)[0] is True
    ok, text = depth_verdict(fails)
    assert ok is False and "does not show" in text
    ok, text = depth_verdict(partly)
    assert ok is False and "largely but not completely" in text and "0.0% → 80.0%" in text
    stopped = _depth({(8, False): 0.01, (56, False): 0.30, (8, True): 0.01, (56, True): 0.0},
                     stopped=True, steps_done=12)
    ok, text = depth_verdict(stopped)
    assert ok is False and "Stopped after 12 of 200 steps" in text  # no verdict from a partial run
    assert "at least two depths" in depth_verdict(_depth({(8, False): 0.1, (8, True): 0.1}))[1]


def _method(name: str, acc: float) -> TransferMethod:
    return TransferMethod(name, 1.0, (1.0,), acc, 1, 1)


def test_transfer_verdict_ranks_the_methods_and_leaves_out_the_timing_twin():
    result = TransferResult(TransferSettings(), 25, 299, methods=(
        _method("scratch", 0.7), _method("frozen", 0.8), _method("frozen_full", 0.99), _method("finetune", 0.75)))
    assert transfer_verdict(result) == ("Most accurate here with 25 labelled images: frozen + precomputed "
                                        "features (80.0%); then fine-tune last stage (small lr) 75.0%, "
                                        "from scratch 70.0%.")
    assert transfer_verdict(TransferResult(TransferSettings(), 25, 299)) == "No method finished."


def test_ensemble_verdict_compares_the_average_with_the_best_member():
    members = (EnsembleMember(0, test_accuracy=0.90), EnsembleMember(1, test_accuracy=0.92))
    result = EnsembleResult(EnsembleSettings(k=2), 599, members, ensemble_accuracy=(0.90, 0.95))
    assert ensemble_verdict(result).startswith("The average of 2 networks scores 95.0%: it beats the best")
    one = EnsembleResult(EnsembleSettings(k=1), 599, members[:1], ensemble_accuracy=(0.90,))
    assert ensemble_verdict(one).startswith("One network: 90.0%")
    assert ensemble_verdict(EnsembleResult(EnsembleSettings(), 599)) == "No network finished."
