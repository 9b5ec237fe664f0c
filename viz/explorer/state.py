"""The explorer's state in the URL, so a teacher can share a link: network, options, view choices.

:func:`parse_state` reads a link, :func:`state_to_params` writes one (defaults left
out). The page's own settings (``res``, ``unit``, ``rows``, ``diagram``, ``compare``)
are registry ``Option``s like the networks' options, so one loop
(:func:`viz.urlstate.parse`) checks them all; bad values fall back to their defaults
with a notice that shows the value only as a code span. The page's tabs, and the
widget keys that show a state, are here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from architectures import FAMILIES, NETWORKS, Option
from viz import urlstate
from viz.formatting import user_value

# Networks the Compare chart starts with (the lecture's milestones), when they exist.
DEFAULT_COMPARE = ("alexnet", "vgg16", "resnet50", "googlenet", "mobilenet_v2", "efficientnet_b0")
DEFAULT_NETWORK = "vgg16"
UNITS = ("MACs", "FLOPs")
DIAGRAM_LEVELS = ("stages", "blocks")
# Input resolutions a widget may ask for; the network itself may allow fewer
# (too small: a feature map collapses; fixed FC layers: only sizes near the default).
RESOLUTION_MIN, RESOLUTION_MAX = 8, 1024
# URL keys the page itself uses; a network option with one of these names is
# written as "opt_<name>" instead.
RESERVED_KEYS = ("net", "res", "unit", "rows", "diagram", "compare")
MAX_TABLE_DEPTH = 6
# The page's tabs and the ``view=`` value that opens each from a link (none: the first).
VIEW_KEYS = {"Overview": "", "Layer table": "layers", "Published figures & code": "code", "Compare": "compare"}
TABS = tuple(VIEW_KEYS)

FAMILY_TITLES = {
    "classic": "Classic networks",
    "residual": "Residual networks",
    "inception": "Inception",
    "mobile": "MobileNets",
    "efficient": "EfficientNet",
}

UNIT_OPTION = Option("unit", "choice", "MACs", label="The cost unit", choices=UNITS)
ROWS_OPTION = Option("rows", "int", 1, label="The layer table's depth", minimum=0, maximum=MAX_TABLE_DEPTH)
DIAGRAM_OPTION = Option("diagram", "choice", "stages", label="The diagram level", choices=DIAGRAM_LEVELS)


@dataclass
class ExplorerState:
    """What a shared link pins down: network, options, resolution and view choices.

    ``resolution=None`` means the spec's default for the chosen options.
    ``notices`` explains any URL value that was ignored.
    """

    network: str
    options: dict[str, Any] = field(default_factory=dict)
    resolution: int | None = None
    unit: str = "MACs"
    table_depth: int = 1
    diagram: str = "stages"
    compare: tuple[str, ...] = ()
    notices: list[str] = field(default_factory=list)


def default_network() -> str | None:
    if DEFAULT_NETWORK in NETWORKS:
        return DEFAULT_NETWORK
    return next(iter(NETWORKS), None)


def default_compare() -> tuple[str, ...]:
    """The Compare tab's networks unless a link says otherwise (the chart adds the one on show)."""
    return tuple(n for n in DEFAULT_COMPARE if n in NETWORKS)


def networks_by_family() -> dict[str, list[str]]:
    """The zoo's names grouped by family, families in the lecture's order."""
    grouped: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for name, spec in NETWORKS.items():
        grouped.setdefault(spec.family, []).append(name)
    return {family: names for family, names in grouped.items() if names}


def network_label(name: str) -> str:
    """"VGG-16 · classic" style label for the picker."""
    spec = NETWORKS[name]
    return f"{spec.title}  ({FAMILY_TITLES.get(spec.family, spec.family)})"


def option_key(name: str) -> str:
    return f"opt_{name}" if name in RESERVED_KEYS else name


def default_resolution(name: str, options: Mapping[str, Any] | None = None) -> int:
    """The input resolution that goes with ``options`` (MobileNet's, EfficientNet's variant …)."""
    return int(NETWORKS[name].input_size_for(dict(options or {}))[1])


def resolution_of(state: ExplorerState) -> int:
    """The input resolution ``state`` shows: its own, or the default for its options."""
    return state.resolution or default_resolution(state.network, state.options)


def options_key(options: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A small hashable cache key: the options as a sorted tuple."""
    return tuple(sorted(options.items()))


def resolution_option(name: str, options: Mapping[str, Any] | None = None) -> Option:
    """The input-resolution setting of network ``name``; its default goes with ``options``."""
    default = default_resolution(name, options)
    return Option("res", "int", default, label="Input resolution (n_H = n_W)", minimum=RESOLUTION_MIN,
                  maximum=RESOLUTION_MAX, step=1,
                  help=f"Default: {default} × {default}. Smaller inputs shrink every feature map; too small "
                  "and one collapses.")


def compare_option(name: str | None = None) -> Option:
    """The Compare list: the lecture's milestones by default, whatever the network (the chart
    adds the network on show), so a network switch leaves the link as short as it was."""
    return Option("compare", "subset", default_compare(), label="The Compare list", choices=tuple(NETWORKS))


def view_options(name: str, options: Mapping[str, Any] | None = None) -> tuple[Option, ...]:
    """The page's own settings for network ``name`` with ``options``, in the order a link is read.

    A network whose resolution its options set (MobileNet's, EfficientNet's φ) has no ``res``.
    """
    own = (resolution_option(name, options),) if NETWORKS[name].resolution_from is None else ()
    return (*own, UNIT_OPTION, ROWS_OPTION, DIAGRAM_OPTION, compare_option(name))


def _option_keys(name: str) -> dict[str, str]:
    return {o.name: option_key(o.name) for o in NETWORKS[name].options}


def tab_for_view(view: str) -> str:
    """The tab a link's ``view=`` opens; an unknown value opens the first."""
    return next((tab for tab, key in VIEW_KEYS.items() if key and key == view), TABS[0])


def changed_options(network: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The options among ``values`` that differ from network ``network``'s defaults."""
    defaults = NETWORKS[network].defaults()
    return {name: value for name, value in values.items() if value != defaults[name]}


def option_widget_key(network: str, option: str) -> str:
    return f"xp_opt_{network}_{option}"


def resolution_widget_key(network: str, default: int) -> str:
    # One widget per default resolution: switching to options with another default starts from it.
    return f"xp_res_{network}_{default}"


def widget_values(state: ExplorerState) -> dict[str, Any]:
    """The page's widget keys and the values that show ``state`` (to seed them before drawing)."""
    spec = NETWORKS[state.network]
    values: dict[str, Any] = {"xp_family": spec.family, f"xp_net_{spec.family}": state.network}
    for opt in spec.options:
        values[option_widget_key(state.network, opt.name)] = state.options.get(opt.name, opt.default)
    if spec.resolution_from is None:
        default = default_resolution(state.network, state.options)
        values[resolution_widget_key(state.network, default)] = state.resolution or default
    values.update(xp_unit=state.unit, xp_rows=state.table_depth, xp_diagram=state.diagram,
                  xp_compare=list(state.compare))
    return values


def parse_state(params: Mapping[str, Any]) -> ExplorerState:
    """Page state from URL query parameters; anything malformed or unknown falls back
    to its default, and ``notices`` says what was ignored and what is allowed."""
    params = urlstate.last_values(params)
    notices: list[str] = []
    name = default_network()
    raw_net = params.pop("net", "")
    if raw_net in NETWORKS:
        name = raw_net
    elif raw_net:
        notices.append(
            f"The link asks for network {user_value(raw_net)}, which is not in the zoo; showing "
            f"{NETWORKS[name].title if name else 'nothing'} instead. Networks: {', '.join(NETWORKS)}."
        )
    state = ExplorerState(network=name or "", notices=notices)
    if name is None:
        return state
    spec = NETWORKS[name]

    network = urlstate.parse(params, spec.options, keys=_option_keys(name))
    notices.extend(network.notices)
    state.options = network.changed
    rest = network.unknown
    if spec.resolution_from is not None and rest.get("res"):
        notices.append(
            f"Ignored res={user_value(rest.pop('res'))} from the link: {spec.title}'s input resolution is set by "
            f"its options ({', '.join(_option_keys(name).values())})."
        )
    view = urlstate.parse(rest, view_options(name, state.options))
    notices.extend(view.notices)
    state.resolution = view.changed.get("res")
    state.unit = view.values["unit"]
    state.table_depth = view.values["rows"]
    state.diagram = view.values["diagram"]
    state.compare = view.values["compare"]
    if view.unknown:
        has = f"options {', '.join(_option_keys(name).values())}" if spec.options else "no options"
        notices.append(urlstate.unknown_notice(view.unknown, f"{spec.title} has {has}"))
    return state


def state_to_params(state: ExplorerState) -> dict[str, str]:
    """URL query parameters for ``state``; defaults are left out so links stay short."""
    out: dict[str, str] = {"net": state.network}
    if state.network not in NETWORKS:
        return out
    spec = NETWORKS[state.network]
    out.update(urlstate.encode(state.options, spec.options, keys=_option_keys(state.network)))
    values = {"res": resolution_of(state), "unit": state.unit, "rows": state.table_depth,
              "diagram": state.diagram, "compare": state.compare}
    out.update(urlstate.encode(values, view_options(state.network, state.options)))
    return out


def link_params(state: ExplorerState, tab: str) -> dict[str, str]:
    """The link for ``state`` with ``tab`` open (the first tab is the default: not written)."""
    params = state_to_params(state)
    if VIEW_KEYS.get(tab):
        params["view"] = VIEW_KEYS[tab]
    return params
