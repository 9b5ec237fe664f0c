"""One honest sentence per result: what this run shows, computed from its numbers, whichever way it goes."""

from __future__ import annotations

import numpy as np

from viz.training.results import DepthResult, EnsembleResult, TransferResult


def depth_verdict(result: DepthResult, margin: float = 0.01) -> tuple[bool, str]:
    """Does this run show the degradation problem? (shown, one-sentence explanation).

    "Shown" means: the deepest plain net ends with a training error more than
    ``margin`` above the shallowest plain net's, and the deepest ResNet's is not
    more than ``margin`` above the shallowest ResNet's. Computed from the run,
    whatever the settings — the page says so when a run does not show it.
    """
    plain, res = result.of_kind(False), result.of_kind(True)
    if len(plain) < 2:
        return False, "Choose at least two depths to compare how training error changes with depth."
    p0, p1 = plain[0].final_error, plain[-1].final_error
    r0, r1 = res[0].final_error, res[-1].final_error
    d0, d1 = plain[0].depth, plain[-1].depth
    facts = (f"plain {d0} → {d1} layers: {p0:.1%} → {p1:.1%} training error; "
             f"residual {d0} → {d1}: {r0:.1%} → {r1:.1%}.")
    if result.stopped:
        return False, (f"Stopped after {result.steps_done} of {result.settings.steps} steps — "
                       "too early to judge; the numbers so far: " + facts)
    plain_worse = p1 > p0 + margin
    res_holds = r1 <= r0 + margin
    if plain_worse and res_holds:
        return True, "This run shows the degradation problem and its cure: " + facts
    if plain_worse and (r1 - r0) < (p1 - p0) / 4:
        return False, ("The plain nets get much worse with depth; the ResNets only slightly — with this "
                       "budget of steps the deepest ResNet is still a little behind the shallowest, so this "
                       "run shows the degradation of plain nets, and ResNets largely but not completely "
                       "escaping it: " + facts)
    if plain_worse:
        return False, ("The plain nets get worse with depth, but here the ResNets do too, so this run "
                       "does not show the ResNets' cure: " + facts)
    return False, "This run does not show the degradation problem (the deeper plain net is not worse): " + facts


def transfer_verdict(result: TransferResult) -> str:
    """One sentence on which method won, from the numbers."""
    m = [method for method in result.methods if method.name != "frozen_full"]  # frozen's timing twin
    if not m:
        return "No method finished."
    ranked = sorted(m, key=lambda method: -method.test_accuracy)
    parts = ", ".join(f"{method.label} {method.test_accuracy:.1%}" for method in ranked[1:])
    best = ranked[0]
    return (f"Most accurate here with {result.n_train} labelled images: {best.label} "
            f"({best.test_accuracy:.1%}); then {parts}." if parts else
            f"{best.label}: {best.test_accuracy:.1%} with {result.n_train} labelled images.")


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
            f"({best:.1%}); the networks' mean is {mean:.1%}.")
