"""The progress charts, drawn once with matplotlib for every place that shows them: the PNG of
`practice progress --plot` and the inline SVG of the HTML report.

One panel per measure (the overall score, each dimension, pace, fillers, long pauses, and the
story measures when there are stories), all on one date axis; in each, one line per question
category, and the measure's target band from `core.measures`. Colours come from matplotlib's
colour-blind-safe style, and each category has its own marker too, so no colour has to be told
apart from another.
"""

from __future__ import annotations

import io
import math
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import InputError
from practice.core.files import open_private
from practice.core.measures import SCORE_KEYS
from practice.core.results import CATEGORIES
from practice.core.when import local_moment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from practice.history.progress import MetricProgress, Progress

STYLE = "tableau-colorblind10"  # matplotlib's colour-blind-safe cycle
# From that style's cycle, the darker colours (its light greys vanish on white), one per
# category in CATEGORIES order, then "no category".
CATEGORY_COLOURS = ("#006BA4", "#FF800E", "#595959", "#C85200", "#5F9ED1", "#898989")
CATEGORY_MARKERS = ("o", "s", "^", "D", "v", "P")
BAND_COLOUR = "#A2C8EC"  # the style's light blue: the target band, behind the lines
BAND_ALPHA = 0.35
COLUMNS = 2  # panels side by side
PANEL_SIZE_IN = (5.0, 2.4)  # inches per panel: width, height
PNG_DPI = 100  # dots per inch: a 1000 px wide picture
SVG_HASH_SALT = "practice"  # fixed, so the same history draws the same SVG byte for byte
NO_CATEGORY = "no category"


def panels(progress: Progress) -> list[MetricProgress]:
    """The measures drawn, one panel each: those with at least one value."""
    return [m for m in progress.metrics if m.points]


def _axis_label(m: MetricProgress) -> str:
    if m.key == "star_completeness":
        return "STAR parts told (share of 4)"
    if m.key == "result_quantified":
        return "1 = a number, 0 = none"
    unit = {
        "": "score (0-100)" if m.key in SCORE_KEYS else "per answer",
        "wpm": "words per minute",
        "/min": "fillers per minute",
        "s": "seconds",
        "share": "share of stories (0-1)",
    }
    return unit.get(m.unit, m.unit)


def _when(created_at: str) -> datetime:
    # Local and naive: matplotlib draws a naive time as given, so the axis shows the same local
    # days as the text views (`core.when`); an aware one it would draw in UTC.
    return local_moment(created_at)


def _date_formatter(locator: Any) -> Any:
    """Matplotlib's concise date labels, with each day tick naming its month ("17 Nov",
    "5 Dec"): its default labels a day by its number alone ("17"), which under the year-month
    note of the last month ("2026-Dec") reads as the wrong month. The note keeps the year."""
    import matplotlib.dates as mdates

    formatter = mdates.ConciseDateFormatter(locator)
    # Levels: years, months, days, hours, minutes, seconds.
    formatter.formats = ["%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M", "%S.%f"]
    formatter.zero_formats = ["", "%b %Y", "%d %b", "%d %b", "%H:%M", "%H:%M"]
    formatter.offset_formats = ["", "%Y", "%Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]
    return formatter


def figure(progress: Progress) -> Figure:
    """One panel per measure for `progress`, by date (InputError when there is nothing to draw
    yet)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if progress.attempts == 0:
        raise InputError("No attempts to plot yet; analyse an answer first.")
    drawn = panels(progress)
    order = [*CATEGORIES, None]
    seen = {p.category for m in drawn for p in m.points}
    categories = [c for c in order if c in seen] + sorted(
        (c for c in seen if c not in order), key=str
    )
    rows = math.ceil(len(drawn) / COLUMNS)
    with plt.style.context(STYLE):
        fig, grid = plt.subplots(
            rows,
            COLUMNS,
            figsize=(PANEL_SIZE_IN[0] * COLUMNS, PANEL_SIZE_IN[1] * rows + 0.8),
            sharex=True,
            squeeze=False,
        )
        axes = list(grid.flat)
        for ax in axes[len(drawn) :]:
            ax.set_visible(False)
        for ax, m in zip(axes, drawn, strict=False):
            target = m.measure.target
            if target is not None:
                low = target.low if target.low is not None else 0.0
                high = target.high if target.high is not None else max(m.values + [low]) * 1.1
                ax.axhspan(
                    low, high, color=BAND_COLOUR, alpha=BAND_ALPHA, lw=0, label="target", zorder=0
                )
            for i, category in enumerate(categories):
                pts = [p for p in m.points if p.category == category]
                if not pts:
                    continue
                k = order.index(category) if category in order else i
                ax.plot(
                    [_when(p.created_at) for p in pts],
                    [p.value for p in pts],
                    marker=CATEGORY_MARKERS[k % len(CATEGORY_MARKERS)],
                    color=CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)],
                    ms=4,
                    lw=1.4,
                    label=category or NO_CATEGORY,
                )
            if m.key in SCORE_KEYS:
                ax.set_ylim(0, 100)
            elif m.unit == "share":
                ax.set_ylim(-0.05, 1.05)
            else:
                ax.set_ylim(bottom=0)
            title = m.label
            if target is not None:
                title += f" (target {target.text(m.unit)})"
            ax.set_title(title, fontsize=10)
            ax.set_ylabel(_axis_label(m), fontsize=8)
            ax.tick_params(labelsize=8)
            # Evenly spaced from the first day: ticks anchored to each month start as well would
            # crowd "29 Nov" against "01 Dec".
            locator = mdates.AutoDateLocator(minticks=3, maxticks=7, interval_multiples=False)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(_date_formatter(locator))
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.xaxis.get_offset_text().set_visible(False)  # the year and month go under the last
        for ax in axes[: len(drawn)][-COLUMNS:]:
            ax.set_xlabel("date", fontsize=8)
            ax.xaxis.get_offset_text().set_visible(True)
        # One legend for the figure: the categories and the target band.
        handles, labels = [], []
        for ax in axes[: len(drawn)]:
            for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
                if label not in labels:
                    handles.append(h)
                    labels.append(label)
        fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 6), fontsize=8)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / fig.get_figheight()))
    return fig


def write_png(progress: Progress, path: Path) -> Path:
    """The charts as a PNG at `path`."""
    import matplotlib.pyplot as plt

    fig = figure(progress)
    path = Path(path)
    try:
        with open_private(path, "wb") as f:
            fig.savefig(f, dpi=PNG_DPI, format="png")
    except OSError as e:
        raise InputError(f"Cannot write {path}: {e.strerror or e}; check the folder.") from e
    finally:
        plt.close(fig)
    return path


def svg(progress: Progress) -> str:
    """The charts as one inline <svg> element for an HTML page ("" when there is nothing to
    draw). Deterministic: no date, fixed ids."""
    import matplotlib
    import matplotlib.pyplot as plt

    if progress.attempts == 0:
        return ""
    fig = figure(progress)
    out = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "none"}):
            fig.savefig(out, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = out.getvalue()
    # Inline in HTML the parser gives <svg> its namespace, so the prologue, the namespace
    # declarations and the licence metadata (all addresses, none fetched) are left out: the
    # report then names no address at all.
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*|<!--.*?-->\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = _without_css(text)
    return text.replace(
        "<svg ",
        '<svg class="chart" role="img" aria-label="Progress charts" '
        # What matplotlib's <style> element gave every shape, now inherited from the root.
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )


# SVG properties that are also presentation attributes: written as attributes they are not CSS,
# so the report's Content-Security-Policy can allow only its own stylesheet, by hash, with no
# 'unsafe-inline' (style attributes cannot be allowed by a hash).
PRESENTATION = frozenset(
    "fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linejoin "
    "stroke-linecap stroke-dasharray stroke-dashoffset stroke-miterlimit opacity clip-path "
    "font-size font-family font-style font-weight text-anchor".split()
)
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _without_css(svg_text: str) -> str:
    """`svg_text` with every style attribute turned into presentation attributes and its
    <style> element dropped; ValueError for a property that has no attribute form (a change
    in matplotlib's output must show here, not as a chart drawn without its colours)."""

    def attributes(match: re.Match[str]) -> str:
        out = []
        for declaration in match.group(1).split(";"):
            if not declaration.strip():
                continue
            name, _, value = declaration.partition(":")
            name = name.strip()
            if name not in PRESENTATION:
                raise ValueError(f"the chart's SVG styles {name!r}, which has no attribute form")
            out.append(f'{name}="{value.strip()}"')
        return " ".join(out)

    return _STYLE_ATTRIBUTE.sub(attributes, _STYLE_ELEMENT.sub("", svg_text))
