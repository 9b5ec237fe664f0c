"""Trained networks: LeNet-5 trained on the shipped MNIST digits, in both styles.

* :func:`load` (``style="modern"`` or ``"1998"``) — a new trained LeNet-5 in eval mode,
  read from ``weights/lenet5_<style>.safetensors`` (nothing is unpickled);
  :func:`stored_info` — how it was trained (seed, epochs, learning rate, test accuracy,
  seconds, torch version, threads).
* :func:`train_lenet` — a training run as a generator of progress events, with a stop
  callback (for a page's progress bar and Stop button); :class:`TrainConfig` its settings.
* :func:`exclusive` — hold the server's one training slot (else :class:`TrainerBusy`).
* ``python -m viz.trained train [--style modern|1998|both] [--epochs N] [--threads 1]``
  retrains and rewrites the stored weights.
"""

from viz.trained.slot import BUSY_MESSAGE, TrainerBusy
from viz.trained.slot import hold as exclusive
from viz.trained.store import WeightsError, load, model_from_state, stored_info
from viz.trained.training import (
                                  EpochDone,
                                  Finished,
                                  Progress,
                                  Stopped,
                                  TrainConfig,
                                  TrainResult,
                                  evaluate,
                                  train_lenet,
                                  train_to_end,
)

__all__ = ["BUSY_MESSAGE", "EpochDone", "Finished", "Progress", "Stopped", "TrainConfig", "TrainResult",
           "TrainerBusy", "WeightsError", "evaluate", "exclusive", "load", "model_from_state", "stored_info",
           "train_lenet", "train_to_end"]
