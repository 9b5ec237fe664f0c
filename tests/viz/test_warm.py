"""viz.warm: every heavy module imported once, whichever thread asks first."""

from __future__ import annotations

import sys
import threading

from viz import warm


def test_warm_imports_loads_the_heavy_modules_and_every_feature_module_but_pages():
    names = warm.warm_imports()
    for name in ("pandas", "plotly.graph_objects", "torch", "viz.compute", "viz.images", "architectures"):
        assert name in names and name in sys.modules
    assert not any(n.startswith("viz.pages") for n in names)
    # pandas is fully initialised (the race saw a module without its attributes)
    assert hasattr(sys.modules["pandas"], "DataFrame")


def test_imported_objects_are_frozen_so_streamlits_post_run_collection_is_cheap():
    import gc
    import time

    warm.warm_imports()
    assert gc.get_freeze_count() > 100_000  # torch, pandas, plotly, the zoo: ~256k objects
    t0 = time.perf_counter()
    gc.collect(2)  # what Streamlit's runner.postScriptGC does after every script run
    assert time.perf_counter() - t0 < 0.05  # 116–140 ms unfrozen on the 2-core machine


def test_concurrent_callers_all_return_after_the_imports_finished():
    results = []
    threads = [threading.Thread(target=lambda: results.append(len(warm.warm_imports()))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 8 and len(set(results)) == 1
