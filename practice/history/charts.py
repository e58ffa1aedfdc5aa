"""The progress charts, drawn once with matplotlib for every place that shows them: the PNG of
`practice progress --plot` and the inline SVG of the HTML report.

Three panels share the x axis (attempt numbers): the scores, the pace with its coached band, and
fillers with long pauses. Colours come from matplotlib's colour-blind-safe cycle.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from practice.core.errors import InputError
from practice.core.files import open_private
from practice.core.thresholds import PACE_HIGH_WPM, PACE_LOW_WPM

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from practice.history.progress import Progress

STYLE = "tableau-colorblind10"  # matplotlib's colour-blind-safe cycle
FIGURE_SIZE_IN = (8.0, 9.0)  # inches: three panels above each other
PNG_DPI = 100  # dots per inch: an 800 x 900 px picture
SVG_HASH_SALT = "practice"  # fixed, so the same history draws the same SVG byte for byte


def figure(progress: Progress) -> Figure:
    """The three panels for `progress` (InputError when there is nothing to draw yet)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from practice.history.progress import SCORE_KEYS

    if progress.attempts == 0:
        raise InputError("No attempts to plot yet; analyse an answer first.")
    with plt.style.context(STYLE):
        fig, axes = plt.subplots(3, 1, figsize=FIGURE_SIZE_IN, sharex=True)
        scores, pace, fillers = axes
        for key in SCORE_KEYS:
            m = progress.metric(key)
            if m.points:
                scores.plot(
                    [p.id for p in m.points],
                    m.values,
                    marker="o",
                    ms=3,
                    label=m.label,
                    lw=2.5 if key == "overall" else 1.2,
                )
        scores.set_ylim(0, 100)
        scores.set_ylabel("score (0-100)")
        scores.legend(loc="lower right", fontsize=8, ncol=5)
        scores.set_title("Scores")
        m = progress.metric("words_per_minute")
        pace.axhspan(
            PACE_LOW_WPM,
            PACE_HIGH_WPM,
            color="tab:green",
            alpha=0.12,
            label=f"coached range {PACE_LOW_WPM}-{PACE_HIGH_WPM}",
        )
        if m.points:
            pace.plot([p.id for p in m.points], m.values, marker="o", ms=3, label="pace")
        pace.set_ylabel("words per minute")
        pace.legend(loc="lower right", fontsize=8)
        pace.set_title("Pace")
        for key in ("fillers_per_minute", "long_pause_count"):
            m = progress.metric(key)
            if m.points:
                fillers.plot(
                    [p.id for p in m.points],
                    m.values,
                    marker="o",
                    ms=3,
                    label=m.label + (m.unit if m.unit.startswith("/") else ""),
                )
        fillers.set_ylabel("count")
        fillers.set_xlabel("attempt number")
        fillers.xaxis.set_major_locator(MaxNLocator(integer=True))  # no attempt 2.5
        fillers.legend(loc="upper right", fontsize=8)
        fillers.set_title("Fillers and long pauses")
        fig.tight_layout()
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
