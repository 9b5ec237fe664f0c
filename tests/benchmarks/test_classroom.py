"""The classroom load's client against a real ``streamlit run app.py`` (2 students, the first load)."""

from __future__ import annotations

import asyncio
import math

import pytest

from benchmarks.classroom import assets, report, scenario
from benchmarks.classroom.http import check_loopback
from benchmarks.classroom.servers import Single


def test_only_loopback_addresses_are_targets():
    assert check_loopback("127.0.0.1") == "127.0.0.1" and check_loopback("::1") == "::1"
    for host in ("10.0.0.1", "192.168.1.5", "8.8.8.8", "example.org"):
        with pytest.raises(ValueError, match="not a loopback address"):
            check_loopback(host)


def test_percentile_interpolates_like_numpy():
    assert report.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert report.percentile([10, 20, 30, 40, 50], 0.95) == pytest.approx(48.0)
    assert math.isnan(report.percentile([], 0.5))


def test_element_chunk_names():
    assert assets.chunk_name("plotly_chart") == "PlotlyChart" and assets.chunk_name("imgs") == "ImageList"


@pytest.fixture(scope="module")
def server():
    s = Single()
    s.start(timeout=120)
    yield s
    s.stop()


def test_two_students_load_the_first_page_and_get_script_finished(server):
    assets.reset()

    async def two():
        return await asyncio.gather(*(scenario.student(i, "127.0.0.1", server.port, seed=0, steps=1)
                                      for i in range(2)))

    logs = asyncio.run(asyncio.wait_for(two(), 180))
    for log in logs:
        assert log.errors == []
        (step,) = log.steps
        assert step.name == scenario.FIRST_LOAD and step.seconds > 0
        run = step.run
        assert run.messages > 10 and run.seconds < step.seconds
        assert tuple(step.phases) == scenario.FIRST_LOAD_PHASES and all(t >= 0 for t in step.phases.values())
        assert sum(step.phases.values()) == pytest.approx(step.seconds)  # the parts make up the whole
        assert {"plotly_chart", "selectbox", "radio"} <= run.element_types  # the Network Explorer drew
    amap = assets.current()
    # Streamlit 1.67's index.html references ~60 scripts; their imports add a few more.
    assert sum(u.endswith(".js") for u in amap.first_load) >= 55
    assert any(u.endswith(".css") for u in amap.first_load)
    assert "PlotlyChart" in amap.lazy and amap.lazy["PlotlyChart"][0].startswith("/static/js/PlotlyChart.")
    tree = report.process_tree(server.root_pid)
    assert report.rss_bytes(tree) > 50 * 2**20 and report.cpu_seconds(tree) > 0
