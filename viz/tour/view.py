"""A tour step as the page shows it: where it is in the tour, its words, its headline and its view.

:func:`read_step` reads ``?step=`` (a value that names no step: a notice quoting it as code,
and the first step); :func:`step_page` puts one step's parts together as plain data for the
page to lay out.
"""

from __future__ import annotations

from dataclasses import dataclass

from viz import view as v
from viz.formatting import user_value
from viz.tour.links import Link
from viz.tour.steps import BY_ID, FIRST, STEPS, Step, position

HEADLINE_ICON = ":material/lightbulb:"


def read_step(text: str | None) -> tuple[str, str]:
    """The step a link asks for (``?step=inception-bottleneck``) and a notice if it names none."""
    if text is None or text in BY_ID:
        return text or FIRST, ""
    return FIRST, (f"The link asks for step {user_value(text)}, which is not in the tour; showing the first step. "
                   f"Steps: {', '.join(BY_ID)}.")


def step_label(step_id: str) -> str:
    """"3. AlexNet (2012)": how the step list names a step."""
    return f"{position(step_id) + 1}. {BY_ID[step_id].title}"


@dataclass(frozen=True)
class StepPage:
    """One step, ready to lay out: ``intro`` (title and sentences) above the step's controls;
    ``headline`` (the lecture's number) and ``lead`` first under them, then ``body``; ``link``
    opens the full page with the step's settings."""

    step: Step
    intro: tuple[v.Block, ...]
    headline: tuple[v.Block, ...]
    lead: tuple[v.Block, ...]
    body: tuple[v.Block, ...]
    link: Link
    progress: str


def step_page(step: Step, settings: dict, shown: v.View) -> StepPage:
    """``shown`` is the step's live view for ``settings`` (``step.view(settings)``, computed on the worker)."""
    headline = (v.Callout("success", f"**{shown.headline}**", icon=HEADLINE_ICON),) if shown.headline else ()
    return StepPage(
        step=step,
        intro=(v.Heading(step_label(step.id), 2), v.Text(step.text)),
        headline=headline,
        lead=shown.lead,
        body=shown.blocks,
        link=step.link(settings),
        progress=f"Step {position(step.id) + 1} of {len(STEPS)}",
    )
