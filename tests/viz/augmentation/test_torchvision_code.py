"""The torchvision.transforms.v2 code written for a pipeline."""

from __future__ import annotations

from tests.viz.augmentation.batches import FULL, rand_batch
from viz.augmentation import colour as C
from viz.augmentation import distortions as D
from viz.augmentation import torchvision_code as TV


def test_torchvision_code_compiles_and_names_each_transform():
    pca = C.rgb_pca(rand_batch(n=1))
    code = TV.torchvision_code(FULL, pca)
    compile(code, "<torchvision code>", "exec")  # valid Python (torchvision itself is not installed)
    for name in ("v2.RandomResizedCrop(size=(16, 16)", "v2.RandomHorizontalFlip(p=0.5)",
                 "v2.RandomRotation(degrees=(-20, 20)", "shear=(-10, 10, -5, 5)", "v2.ElasticTransform(",
                 "class ColorShift", "class PCAColor", "v2.ToDtype(torch.float32, scale=True)"):
        assert name in code
    assert f"{float(pca.eigenvalues[0]):.6f}" in code
    assert "class PCAColor" not in TV.torchvision_code(D.Pipeline((D.Mirror(),)))
