"""Where the network is wrong: its predictions on the 1,000 held-out test digits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from viz.data import mnist


@dataclass(frozen=True)
class ErrorReport:
    predictions: np.ndarray  # (1000,)
    confidence: np.ndarray  # (1000,) probability of the predicted class
    confusion: np.ndarray  # (10, 10): row = true digit, column = predicted
    wrong: np.ndarray  # positions (in mnist.test()) of the misclassified digits, most confident first

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / self.confusion.sum())


def error_report(model: nn.Module) -> ErrorReport:
    """Classify every test digit (eval mode is the caller's: the models here always are)."""
    x, y = mnist.lenet_tensors("test")
    with torch.no_grad():
        probabilities = torch.softmax(model(x), 1).numpy()
    predictions = probabilities.argmax(1)
    confidence = probabilities.max(1)
    labels = y.numpy()
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    wrong = np.flatnonzero(predictions != labels)
    wrong = wrong[np.argsort(-confidence[wrong], kind="stable")]
    return ErrorReport(predictions, confidence, confusion, wrong)
