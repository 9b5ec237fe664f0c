"""The model zoo: the case-study networks as real PyTorch modules (imports torch only)."""

from architectures.registry import FAMILIES, NETWORKS, NetworkSpec, Option, build, get_spec

__all__ = ["FAMILIES", "NETWORKS", "NetworkSpec", "Option", "build", "get_spec"]
