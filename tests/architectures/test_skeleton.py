"""architectures.skeleton: meta skeletons kept per (network, options), and the zero weights lent
to them for one pass (views of one block of fresh zero pages per dtype, put back afterwards).

trace_network, the user of both, is tested on every network in tests/viz/trace/test_zoo.py.
"""

from __future__ import annotations

import ast
import importlib.util
import mmap
import sys
import threading
from pathlib import Path

import pytest
import torch
from torch import nn

from architectures import get_spec
from architectures import skeleton as skeleton_module
from architectures.skeleton import Skeleton, clear_cache, skeleton_for, zero_weights


def test_zero_weights_are_views_put_back_afterwards():
    # zero_weights: every tensor a CPU view of one zero block per (dtype, fill), running
    # variances ones, a tied weight still one Parameter, and the meta tensors restored after.
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 3))
    model[2].weight = nn.Parameter(torch.empty(3, 3, device="meta"), requires_grad=False)
    model[0].register_parameter("tied", model[2].weight)
    skeleton = Skeleton(model)
    metas = [*model.parameters(), *model.buffers()]
    with zero_weights(skeleton) as lent:
        assert lent is model
        assert model[0].tied is model[2].weight and isinstance(model[2].weight, nn.Parameter)
        assert model[2].weight.requires_grad is False and model[0].weight.requires_grad is True
        assert all(t.device.type == "cpu" for t in [*model.parameters(), *model.buffers()])
        assert model[1].running_var.tolist() == [1.0, 1.0, 1.0]
        assert not any(float(t.detach().abs().sum()) for t in model.parameters())
        assert model[1].num_batches_tracked.dtype == torch.int64 and model[1].num_batches_tracked.shape == ()
        assert model[0].weight.shape == (3, 4) and model[0].weight.is_contiguous()
    after = [*model.parameters(), *model.buffers()]
    assert len(after) == len(metas) and all(a is b for a, b in zip(after, metas))  # the very meta tensors


class Buffers(nn.Module):
    """One buffer per dtype, one empty: the zero blocks must serve any of them."""

    DTYPES = (torch.float16, torch.bfloat16, torch.float64, torch.int32, torch.int8, torch.uint8,
              torch.bool, torch.complex64)

    def __init__(self):
        super().__init__()
        for i, dtype in enumerate(self.DTYPES):
            self.register_buffer(f"b{i}", torch.empty(2, 3, dtype=dtype, device="meta"))
        self.register_buffer("empty", torch.empty(0, 4, dtype=torch.int16, device="meta"))


def test_every_dtype_gets_zeros_and_an_empty_tensor_works():
    model = Buffers()
    with zero_weights(Skeleton(model)):
        for i, dtype in enumerate(Buffers.DTYPES):
            b = getattr(model, f"b{i}")
            assert b.device.type == "cpu" and b.dtype == dtype and b.shape == (2, 3)
            assert not b.any()
        assert model.empty.shape == (0, 4) and model.empty.dtype == torch.int16
    assert all(b.is_meta for b in model.buffers())


def _resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc (Linux)")
def test_a_large_zero_block_read_by_a_pass_costs_no_resident_memory():
    # 8192 × 8192 float32 weights: 256 MB, every page read by the forward pass. Fresh pages of a
    # private anonymous mapping read as the kernel's zero page; torch.zeros (or a shared mapping,
    # which allocates a page on the first read) would make all 256 MB resident.
    with torch.device("meta"):
        model = nn.Linear(8192, 8192, bias=False)
    skeleton = Skeleton(model)
    before = _resident_mb()
    with zero_weights(skeleton), torch.inference_mode():
        out = model(torch.ones(1, 8192))
        during = _resident_mb()
    assert out.shape == (1, 8192) and not out.any()
    assert during - before < 32, f"{during - before:.0f} MB became resident"


def _vm_flags(address: int) -> list[str]:
    """The VmFlags of the mapping of this process that holds ``address`` (/proc/self/smaps)."""
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                start, end = (int(x, 16) for x in head.split("-"))
                inside = start <= address < end
            elif inside and head == "VmFlags:":
                return line.split()[1:]
    raise LookupError(f"no mapping holds {address:#x}")


@pytest.mark.skipif(not (hasattr(mmap, "MADV_HUGEPAGE") and Path("/sys/kernel/mm/transparent_hugepage").exists()),
                    reason="transparent huge pages are Linux's")
def test_a_zero_block_is_marked_for_huge_pages():
    # Reading a region marked MADV_HUGEPAGE maps the 2 MB huge zero page per fault instead of
    # 512 small ones: VGG-16's 411 MB of FC weights take ~200 faults, not ~100,000 (numpy marks
    # its large arrays the same way; benchmarks/trace_bench.py shows the difference).
    with torch.device("meta"):
        model = nn.Linear(1024, 1024)  # 4 MB of weights
    with zero_weights(Skeleton(model)):
        assert "hg" in _vm_flags(model.weight.data_ptr())  # "hg": MADV_HUGEPAGE (proc(5))


def test_zero_weights_hold_the_skeletons_lock():
    skeleton = Skeleton(nn.Linear(2, 2, device="meta"))
    taken: list[bool] = []

    def other_thread():
        taken.append(skeleton.lock.acquire(blocking=False))

    with zero_weights(skeleton):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert taken == [False]
    assert skeleton.lock.acquire(blocking=False)  # free again afterwards
    skeleton.lock.release()


def test_a_skeleton_is_the_network_on_the_meta_device_in_eval_mode():
    skeleton = skeleton_for("lenet5", get_spec("lenet5").resolve({}))
    assert all(t.is_meta for t in [*skeleton.model.parameters(), *skeleton.model.buffers()])
    assert not any(m.training for m in skeleton.model.modules())
    assert [name for name, _ in skeleton.named] == [name for name, _ in skeleton.model.named_modules()]


def test_skeletons_are_kept_per_network_and_options(monkeypatch):
    spec = get_spec("lenet5")
    clear_cache()
    default = skeleton_for("lenet5", spec.resolve({}))
    assert skeleton_for("lenet5", spec.resolve({"num_classes": 10})) is default  # the default, spelled out
    other = skeleton_for("lenet5", spec.resolve({"num_classes": 7}))
    assert other is not default
    # At most _SKELETONS_MAX kept, the least recently used dropped first.
    monkeypatch.setattr(skeleton_module, "_SKELETONS_MAX", 2)
    skeleton_for("lenet5", spec.resolve({}))  # default is now the most recent
    skeleton_for("lenet5", spec.resolve({"num_classes": 3}))  # a third: drops num_classes=7
    assert skeleton_for("lenet5", spec.resolve({})) is default
    assert skeleton_for("lenet5", spec.resolve({"num_classes": 7})) is not other
    clear_cache()
    assert skeleton_for("lenet5", spec.resolve({})) is not default


# ------------------------------------------------------------------ the import contract


def _imported_modules(path: Path) -> set[str]:
    """The modules a source file imports (``from a import b`` gives ``a`` and, if it is one, ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            package = importlib.util.find_spec(node.module) if node.module.startswith("architectures") else None
            if package is not None and package.submodule_search_locations is not None:
                for alias in node.names:
                    if importlib.util.find_spec(f"{node.module}.{alias.name}") is not None:
                        found.add(f"{node.module}.{alias.name}")
    return found


def test_skeleton_imports_only_torch_and_the_standard_library():
    # DESIGN.md: architectures imports torch only (no numpy, no viz). Followed through every
    # architectures module skeleton.py pulls in (the registry and with it the whole zoo).
    seen, todo, outside = set(), ["architectures.skeleton"], {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for imported in _imported_modules(Path(importlib.util.find_spec(name).origin)):
            top = imported.split(".")[0]
            if top == "architectures":
                todo.append(imported)
            elif top != "torch" and top not in sys.stdlib_module_names:
                outside.setdefault(name, set()).add(imported)
    assert {"architectures.skeleton", "architectures.registry", "architectures.meta_build"} <= seen
    assert outside == {}
