"""A pipeline of :mod:`viz.augmentation.distortions` written with ``torchvision.transforms.v2``.

The Augmentation Lab shows this code to copy into a training script; it is not
run here (torchvision is not a dependency). Colour shift and PCA colour have no
torchvision transform, so small modules are written out; local warping maps to
``v2.ElasticTransform`` approximately.
"""

from __future__ import annotations

from viz.augmentation import distortions as D
from viz.augmentation.colour import RGBPCA


def step_code(step, size: int = 224) -> str:
    """One step as a ``v2`` expression; ``"  # …"`` at the end says where it differs from ours.

    ``size`` is the pipeline's output size (the warp's displacement scales with it).
    """
    match step:
        case D.RandomResizedCrop():
            return (f"v2.RandomResizedCrop(size=({step.size}, {step.size}), scale={_tup(step.scale)}, "
                    f"ratio={_tup(step.ratio)}, antialias=True)")
        case D.Mirror():
            return f"v2.RandomHorizontalFlip(p={step.p:g})"
        case D.Rotation():
            note = "" if step.padding == "zeros" else f"  # no '{step.padding}' fill in torchvision: constant 0"
            return (f"v2.RandomRotation(degrees=({_num(-step.degrees)}, {_num(step.degrees)}), "
                    f"interpolation=v2.InterpolationMode.BILINEAR, fill=0){note}")
        case D.Shear():
            x, y = _num(step.x_degrees), _num(step.y_degrees)
            return (f"v2.RandomAffine(degrees=0, shear=({_num(-step.x_degrees)}, {x}, {_num(-step.y_degrees)}, {y}), "
                    f"interpolation=v2.InterpolationMode.BILINEAR)")
        case D.Warp():
            # torchvision blurs per-pixel uniform noise in [-1, 1] with a Gaussian of sigma
            # pixels and scales by alpha / size; the displacement's std in pixels is then
            # about alpha / 2 · 0.577 / (2 √π sigma) ≈ 0.0814 · alpha / sigma. Pick sigma
            # ≈ a third of our control-point spacing and solve for alpha: close, not identical.
            sigma = max(1.0, step.smoothness * size / 3)
            alpha = step.strength * sigma / 0.0814
            return (f"v2.ElasticTransform(alpha={alpha:.1f}, sigma={sigma:.1f})"
                    f"  # ≈ our warp: ~{step.strength:g} px displacements")
        case D.ColorShift():
            return f"ColorShift(max_offset={step.max_offset:g}, base={_tup(step.base)})"
        case D.PCAColor():
            return f"PCAColor(eigenvalues, eigenvectors, sigma={step.sigma:g})"
    raise TypeError(f"no torchvision code for {type(step).__name__}")


def _num(v: float) -> str:
    return f"{float(v) + 0.0:.4g}" if v != 0 else "0"


def _tup(values) -> str:
    return "(" + ", ".join(_num(v) for v in values) + ")"


_COLOR_SHIFT_CODE = '''
class ColorShift(torch.nn.Module):
    """Add base + a random integer offset in [-max_offset, max_offset] to R, G, B (8-bit units)."""

    def __init__(self, max_offset=20, base=(0, 0, 0)):
        super().__init__()
        self.max_offset, self.base = max_offset, torch.tensor(base, dtype=torch.float32)

    def forward(self, img):
        offsets = self.base + torch.empty(3).uniform_(-self.max_offset, self.max_offset).round()
        return (img + offsets[:, None, None] / 255).clamp(0, 1)
'''

_PCA_CODE = '''
class PCAColor(torch.nn.Module):
    """AlexNet's PCA colour augmentation (Krizhevsky et al. 2012, section 4.1)."""

    def __init__(self, eigenvalues, eigenvectors, sigma=0.1):
        super().__init__()
        self.std = torch.as_tensor(eigenvalues, dtype=torch.float32).sqrt()
        self.eigenvectors = torch.as_tensor(eigenvectors, dtype=torch.float32)
        self.sigma = sigma

    def forward(self, img):
        alpha = torch.randn(3) * self.sigma
        offset = self.eigenvectors @ (alpha * self.std)
        return (img + offset[:, None, None]).clamp(0, 1)


# RGB covariance of your training images (values in [0, 1]); these are this image's.
eigenvalues = {vals}
eigenvectors = {vecs}  # column i is component p_i
'''


def torchvision_code(pipeline: D.Pipeline, pca: RGBPCA | None = None) -> str:
    """The same pipeline written with ``torchvision.transforms.v2`` (to copy; not run here).

    Colour shift and PCA colour have no torchvision transform: small modules are
    included. Warping maps to ``v2.ElasticTransform`` approximately.
    """
    types = {type(s) for s in pipeline.steps}
    lines = ["import torch", "from torchvision.transforms import v2", ""]
    if D.ColorShift in types:
        lines += _COLOR_SHIFT_CODE.strip("\n").splitlines() + [""]
    if D.PCAColor in types:
        if pca is None:
            vals, vecs = "[...]", "[[...], [...], [...]]"
        else:
            vals = "[" + ", ".join(f"{v:.6f}" for v in pca.eigenvalues.tolist()) + "]"
            vecs = "[" + ", ".join("[" + ", ".join(f"{x:.4f}" for x in row) + "]"
                                   for row in pca.eigenvectors.tolist()) + "]"
        lines += _PCA_CODE.strip("\n").format(vals=vals, vecs=vecs).splitlines() + [""]
    lines += ["", "train_transform = v2.Compose([",
              "    v2.ToImage(),  # PIL image or uint8 tensor -> tv_tensors.Image",
              "    v2.ToDtype(torch.float32, scale=True),  # values in [0, 1]"]
    size = next((s.size for s in pipeline.steps if isinstance(s, D.RandomResizedCrop)), 224)
    for step in pipeline.steps:
        code = step_code(step, size)
        if "  #" in code:
            expr, comment = code.split("  #", 1)
            lines.append(f"    {expr.rstrip()},  #{comment}")
        else:
            lines.append(f"    {code},")
    lines.append("])")
    return "\n".join(lines) + "\n"
