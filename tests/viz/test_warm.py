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

    warm.warm_imports()
    assert gc.get_freeze_count() > 100_000  # torch, pandas, plotly, the zoo: ~256k objects
    # Streamlit's runner.postScriptGC runs gc.collect(2) after every script run: it walks the
    # collector's generations, not the permanent one. A module's namespace made at import time
    # must be in the permanent generation, i.e. in none of the three the collection walks.
    namespace = vars(sys.modules["pandas"])
    assert gc.is_tracked(namespace)
    assert not any(obj is namespace for obj in gc.get_objects())


def test_concurrent_callers_all_return_after_the_imports_finished():
    results = []
    threads = [threading.Thread(target=lambda: results.append(len(warm.warm_imports()))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 8 and len(set(results)) == 1
