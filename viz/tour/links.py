"""Where a tour step sends a student who wants to dig: another page, with the step's settings
in that page's own URL keys (``./blocks?lab=inception&i_r5=8``).

A setting is written as that page's bound widget writes it (:meth:`viz.controls.Control.to_url`)
and left out at its default, so the link opens the page exactly as the step showed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from viz.controls import Control
from viz.explorer.state import ExplorerState, default_compare, link_params

# The app's pages by their url_path in app.py ("" is the Explorer, the default page at "/").
PAGES = {"": "the Network Explorer", "inside": "Inside LeNet-5", "blocks": "the Block Lab",
         "augmentation": "the Augmentation Lab", "training": "the Training Lab"}


@dataclass(frozen=True)
class Link:
    """A page of the app (its url_path) and the query parameters to open it with."""

    page: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"Open in {PAGES[self.page]}"

    @property
    def href(self) -> str:
        """Relative to the tour's own address, so it works under any base path."""
        query = urlencode(list(self.params))
        return f"./{self.page}" + (f"?{query}" if query else "")


def control_params(controls: Iterable[Control], settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The settings that differ from their defaults, under each control's URL key."""
    out: list[tuple[str, str]] = []
    for control in controls:
        value = settings.get(control.name, control.default)
        if value == control.default:
            continue
        text = control.to_url(value)
        out += [(control.key, t) for t in text] if isinstance(text, list) else [(control.key, text)]
    return out


def lab_link(lab: str, controls: Iterable[Control], settings: Mapping[str, Any]) -> Link:
    """The Block Lab's ``lab`` with these settings."""
    return Link("blocks", (("lab", lab), *control_params(controls, settings)))


def explorer_link(network: str, options: Mapping[str, Any] | None = None, tab: str = "Overview",
                  diagram: str = "stages") -> Link:
    """The Network Explorer on ``network`` with ``options``, the ``tab`` open (by the Explorer's own link rules)."""
    state = ExplorerState(network=network, options=dict(options or {}), diagram=diagram, compare=default_compare())
    return Link("", tuple(link_params(state, tab).items()))


def page_link(page: str, controls: Iterable[Control] = (), settings: Mapping[str, Any] | None = None,
              **fixed: str) -> Link:
    """Any other page with fixed parameters (``experiment="transfer"``) and settings of its controls."""
    return Link(page, (*fixed.items(), *control_params(controls, settings or {})))
