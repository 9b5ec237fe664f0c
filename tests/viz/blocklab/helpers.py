"""Shared by the Block Lab tests: hypothesis strategies drawn from a lab's own controls."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from viz.controls import Control

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def values(control: Control) -> st.SearchStrategy:
    """Every value the control's widget allows."""
    o = control.option
    if o.kind == "int":
        return st.integers(int(o.minimum), int(o.maximum))
    if o.kind == "float":
        return st.floats(o.minimum, o.maximum)
    if o.kind == "bool":
        return st.booleans()
    if o.kind == "range":
        return st.lists(st.floats(o.minimum, o.maximum), min_size=2, max_size=2).map(lambda ends: tuple(sorted(ends)))
    if o.kind == "subset":
        return st.permutations(o.choices).flatmap(lambda order: st.integers(0, len(order)).map(
            lambda n: tuple(order[:n])))
    return st.sampled_from(o.choices)


def settings_of(controls: tuple[Control, ...]) -> st.SearchStrategy:
    """A dict of settings, each drawn from what its widget allows (the page can send any of these)."""
    return st.fixed_dictionaries({c.name: values(c) for c in controls})


def valid_or_clear(call):
    """Run a lab; a ValueError must carry a readable message. Return the result or None."""
    try:
        return call()
    except ValueError as error:
        message = str(error)
        assert len(message) > 20 and "Traceback" not in message
        return None
