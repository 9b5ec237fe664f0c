"""Augmentation Lab: the lecture's data augmentations on torch tensors, and what the lab shows of them.

* ``tensors``: batch conventions (seeds, 8-bit conversion, copies, tiling);
  ``geometry``: mirroring, random crops, rotation, shear, local warping (any channel count);
  ``colour``: colour shifting and AlexNet's PCA colour noise (RGB).
* ``distortions``: each distortion as a pipeline step, and ``Pipeline`` — the entry
  point for other features: the Training Lab distorts its ``(N, 1, 32, 32)`` digits
  with ``Pipeline((RandomResizedCrop(32, scale=…), Rotation(…), Shear(…), Warp(…)))``.
* ``torchvision_code``: a pipeline written with ``torchvision.transforms.v2``.
* ``crops`` (test-time 10-crop) and ``cost`` (what multi-crop and ensembles cost).
* ``loading``: the DataLoader throughput demo (worker processes, forkserver).
* ``settings``: every widget's key, label, default and range; ``previews``: sample
  grids and captions; ``figures``: the charts (plotly); ``view``: the page's sections
  as ``viz.view`` blocks.
"""
