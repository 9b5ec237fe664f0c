"""One honest sentence per result: what this run shows, computed from its numbers, whichever way it goes."""

from __future__ import annotations

import numpy as np

from viz.training.results import (
    METHODS,
    AugmentResult,
    DepthResult,
    EnsembleResult,
    MultiCropResult,
    TransferResult,
)


def degradation(result: DepthResult, margin: float = 0.01) -> tuple[bool, bool]:
    """(the plain nets' training error rises with depth past some depth, the deepest ResNet ends
    below the plain net of its depth) — the two claims of He et al. 2016 Fig. 6 a run can show.

    "Rises past some depth": from some depth on, every deeper plain net ends more than
    ``margin`` above the one before it, and the deepest above the shallowest.
    """
    plain, res = result.of_kind(False), result.of_kind(True)
    if len(plain) < 2 or any(r.train_error is None for r in result.runs):
        return False, False
    errors = [r.train_error for r in plain]
    rises = any(all(b > a + margin for a, b in zip(errors[k:], errors[k + 1:])) and errors[-1] > errors[0] + margin
                for k in range(len(errors) - 1))
    return rises, res[-1].train_error < plain[-1].train_error - margin


def depth_verdict(result: DepthResult) -> tuple[bool, str]:
    """Does this run show the degradation problem and its cure? (shown, one sentence from the numbers)."""
    plain, res = result.of_kind(False), result.of_kind(True)
    if len(plain) < 2:
        return False, "Choose at least two depths to compare how training error changes with depth."
    def error(run) -> str:  # None: a run stopped before its first checkpoint
        return "–" if run.train_error is None else f"{run.train_error:.1%}"

    facts = ("plain " + " → ".join(f"{r.depth}: {error(r)}" for r in plain) + "; residual "
             + " → ".join(f"{r.depth}: {error(r)}" for r in res) + " training error.")
    if result.stopped:
        return False, (f"Stopped after {result.steps_done} of {result.settings.steps} steps — too early to "
                       "judge; so far: " + facts)
    rises, cured = degradation(result)
    if rises and cured:
        best = min(res, key=lambda r: r.train_error)
        if res[-1].train_error > best.train_error + 0.01:  # say so: the shortcuts helped, not fully cured
            return True, ("This run shows the degradation problem, and shortcuts largely escaping it: the deepest "
                          f"ResNet ends far below the plain net of its depth, though with {result.settings.steps} "
                          f"steps still behind residual-{best.depth}: " + facts)
        return True, "This run shows the degradation problem and its cure: " + facts
    if rises:
        return False, ("The plain nets get worse with depth, but here the deepest ResNet does not end below "
                       "the plain net of its depth: " + facts)
    return False, "This run does not show the degradation problem (deeper plain nets are not worse): " + facts


def crossover(result: TransferResult) -> tuple[str | None, str | None, int | None]:
    """(the method best with the least data, the one best with the most, the first size where the best
    changes from the first), from the means; Nones where nothing finished."""
    sizes = [n for n in result.settings.sizes if result.best(n) is not None]
    if not sizes:
        return None, None, None
    first, last = result.best(sizes[0]), result.best(sizes[-1])
    where = next((n for n in sizes if result.best(n) != first), None)
    return first, last, where


def transfer_verdict(result: TransferResult) -> str:
    """Whether the crossover appears, and where — from the seeds' means."""
    first, last, where = crossover(result)
    if first is None:
        return "No run finished yet."
    sizes = [n for n in result.settings.sizes if result.best(n) is not None]
    if len(sizes) < 2:
        return f"With {sizes[0]} labelled examples per class, {METHODS[first]} is best."
    if where is None:
        return (f"No crossover here: {METHODS[first]} is best at every size from {sizes[0]} to {sizes[-1]} "
                "labelled examples per class (means over the seeds).")
    return (f"The crossover appears: {METHODS[first]} is best with {sizes[0]} labelled example(s) per class, "
            f"{METHODS[result.best(where)]} from {where} per class on"
            + ("" if result.best(sizes[-1]) == result.best(where) else f", and {METHODS[last]} with {sizes[-1]}")
            + " (means over the seeds).")


def augment_verdict(result: AugmentResult) -> str:
    plain, distorted = result.accuracies(False), result.accuracies(True)
    if not plain or not distorted:
        return "Not finished: nothing to compare yet."
    gain = float(np.mean(distorted) - np.mean(plain))
    wins = sum(d > p for p, d in zip(plain, distorted))
    how = "helps" if gain > 0 else "does not help"
    return (f"On {result.n_train} training digits, augmentation {how}: {np.mean(plain):.1%} → "
            f"{np.mean(distorted):.1%} test accuracy on average ({gain:+.1%}); better in {wins} of "
            f"{min(len(plain), len(distorted))} seeds.")


def ensemble_verdict(result: EnsembleResult) -> str:
    accs = [m.test_accuracy for m in result.finished_members]
    if not accs or not result.ensemble_accuracy:
        return "No network finished."
    ens = result.ensemble_accuracy[-1]
    best, mean = max(accs), float(np.mean(accs))
    if len(accs) == 1:
        return f"One network: {best:.1%}. Choose k ≥ 2 to see what averaging adds."
    relation = "beats" if ens > best else ("equals" if ens == best else "does not beat")
    return (f"The average of {len(accs)} networks scores {ens:.1%}: it {relation} the best single network "
            f"({best:.1%}); the networks' mean is {mean:.1%} — at {len(accs)}× the cost of one.")


def multicrop_verdict(result: MultiCropResult) -> str:
    gain = result.multi_accuracy - result.single_accuracy
    n = len(result.views)
    if n == 1:
        return f"One view: {result.single_accuracy:.1%}. Choose 5 or 9 views to average."
    how = "gains" if gain > 0 else "loses" if gain < 0 else "neither gains nor loses"
    return (f"Averaging {n} views {how} {abs(gain):.1%} ({result.single_accuracy:.1%} → {result.multi_accuracy:.1%}: "
            f"{result.fixed} test digits fixed, {result.broken} broken) at {n}× the cost of one pass.")
