"""One cache of traces for every explorer test file (a trace of ResNet-50 or GoogLeNet costs a second)."""

from __future__ import annotations

from functools import cache

from viz.trace import trace_network


@cache
def traced(name: str, **options):
    return trace_network(name, options)
