"""Settings kept in the URL: query parameters checked against registry ``Option``s, and written back.

A teacher shares a link and a class opens it, so every value in it is checked by its
:class:`~architectures.registry.Option` before a widget or a computation sees it. A bad
value falls back to the option's default with a notice that says what was wrong and
what is allowed; the value itself appears in a notice only through
:func:`viz.formatting.user_value` (a code span), never as Markdown.

* :func:`parse`: query parameters -> every option's value (its default where absent or
  bad), the values that differ from the defaults, notices, and the keys no option claimed.
* :func:`encode`: values -> query parameters, defaults left out so links stay short.

The same rules on every page:

* a key given more than once counts with its last value (as ``st.query_params[key]`` does);
* an empty value is as if the key were absent, except for a "subset", where it means none;
* text that matches one text choice ignoring case is that choice (``unit=flops``);
* a "subset" keeps the members it knows and names the ones it ignored;
* a "range" is two numbers, "low,high".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from architectures.registry import Option
from viz.formatting import user_value


@dataclass(frozen=True)
class Parsed:
    """What :func:`parse` found.

    values    every option's value by option name: from the link where it was valid,
              the default otherwise
    changed   the valid values from the link that differ from their defaults
    notices   one sentence per value that was ignored (user text only as code spans)
    unknown   query keys no option claimed, with their (last) values, for the caller
              to use or to name in a notice (:func:`unknown_notice`)
    """

    values: dict[str, Any]
    changed: dict[str, Any]
    notices: tuple[str, ...]
    unknown: dict[str, str]


def last_values(params: Mapping[str, Any]) -> dict[str, str]:
    """``{key: text}`` with the last value of a repeated key (a list, as parsed query strings hold)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        out[str(key)] = "" if value is None else str(value)
    return out


def _one(option: Option, raw: str) -> Any:
    """``raw`` as a value of ``option`` (a subset: a one-member tuple), or ``ValueError``."""
    try:
        return option.validate("link", raw)
    except ValueError:
        if option.kind not in ("choice", "subset"):
            raise
        folded = [c for c in option.choices if isinstance(c, str) and c.lower() == raw.strip().lower()]
        if len(folded) != 1:
            raise
        return option.validate("link", folded[0])


def _label(option: Option) -> str:
    return option.label or option.name


def _default_text(option: Option) -> str:
    if option.kind == "subset":
        return ", ".join(str(c) for c in option.default) or "none"
    if option.kind == "range":
        return "{:g} to {:g}".format(*option.default)
    return repr(option.default)


def bad_value_notice(key: str, raw: str, option: Option) -> str:
    """"Ignored res=`abc` from the link: … must be …; using the default, 224." """
    return (f"Ignored {key}={user_value(raw)} from the link: {_label(option)} must be {option.allowed()}; "
            f"using the default, {_default_text(option)}.")


def unknown_notice(keys: Iterable[str], allowed: str) -> str:
    """"Ignored parameter(s) `foo` from the link: <allowed>." (``allowed`` is the caller's own text)."""
    names = ", ".join(user_value(k) for k in sorted(keys))
    return f"Ignored parameter(s) {names} from the link: {allowed}."


def _subset(option: Option, key: str, raw: str, notices: list[str]) -> tuple:
    members = [part.strip() for part in raw.split(",") if part.strip()]
    known, ignored = [], []
    for member in members:
        try:
            known.extend(_one(option, member))
        except ValueError:
            ignored.append(member)
    if ignored:
        notices.append(f"Ignored {user_value(', '.join(ignored))} in {key}= from the link: "
                       f"{_label(option)} may name {option.allowed()}.")
    return option.validate("link", known)


def parse(params: Mapping[str, Any], options: Sequence[Option], *,
          keys: Mapping[str, str] | None = None) -> Parsed:
    """Check ``params`` (a query-parameter mapping) against ``options``.

    ``keys`` maps an option's name to its URL key where they differ (a network option
    called like one of the page's own keys). Nothing raises: whatever the link holds,
    the values are valid for their options.
    """
    remaining = last_values(params)
    values: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    notices: list[str] = []
    for option in options:
        key = (keys or {}).get(option.name, option.name)
        values[option.name] = option.default
        raw = remaining.pop(key, None)
        if raw is None or (raw == "" and option.kind != "subset"):
            continue
        if option.kind == "subset":
            value = _subset(option, key, raw, notices)
        else:
            try:
                value = _one(option, raw)
            except ValueError:
                notices.append(bad_value_notice(key, raw, option))
                continue
        values[option.name] = value
        if value != option.default:
            changed[option.name] = value
    return Parsed(values, changed, tuple(notices), remaining)


def _text(option: Option, value: Any) -> str:
    if option.kind == "subset":
        return ",".join(str(v) for v in value)
    if option.kind == "range":
        return ",".join(f"{v:g}" for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def encode(values: Mapping[str, Any], options: Sequence[Option], *,
           keys: Mapping[str, str] | None = None) -> dict[str, str]:
    """Query parameters for ``values`` (by option name); values equal to their option's
    default, and names no option describes, are left out."""
    out = {}
    for option in options:
        if option.name not in values:
            continue
        value = values[option.name]
        if option.kind in ("subset", "range"):
            value = tuple(value)
        if value != option.default:
            out[(keys or {}).get(option.name, option.name)] = _text(option, value)
    return out
