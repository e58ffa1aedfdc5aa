"""Reports and exports of the history: one self-contained HTML file (audio, transcripts that
follow playback, scores, progress charts), CSV and JSON exports, and a zip for a coach.

The HTML needs no network: styles, script, charts (inline SVG) and audio (Ogg Opus, base64) are
all inside the file, and its Content-Security-Policy forbids loading anything else.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from practice.core.errors import AudioError, InputError
from practice.core.files import open_private
from practice.core.records import Attempt, Session
from practice.core.results import Analysis, Delivery
from practice.core.when import local_day, local_minute

if TYPE_CHECKING:
    from practice.history.progress import Progress

AUDIO_RATE = 16_000  # Hz: what the history analyses; plenty for speech
# libsndfile maps compression_level 0-1 onto the Opus bitrate; 0.95 gives about 17.6 kbit/s on
# speech (measured here: about 130 kB per minute), clear speech at a twelfth of 16-bit WAV.
OPUS_COMPRESSION_LEVEL = 0.95
FFMPEG_OPUS_BITRATE = "18k"  # the same budget when ffmpeg has to encode instead
CSV_COLUMNS = (
    "id",
    "created_at",
    "category",
    "question_id",
    "question_text",
    "source",
    "duration_s",
    "overall",
    "structure",
    "delivery",
    "enthusiasm",
    "content",
    "words_per_minute",
    "articulation_rate_wpm",
    "fillers_per_minute",
    "filler_count",
    "discourse_filler_count",
    "hedge_count",
    "pause_count",
    "long_pause_count",
    "longest_pause_s",
    "pitch_variation_semitones",
    "situation",
    "task",
    "action",
    "result",
    "result_quantified",
    "star_completeness",
    "analyzer_version",
    "engine",
    "model",
)
_DELIVERY_COLUMNS = tuple(c for c in CSV_COLUMNS if c in {f.name for f in fields(Delivery)})


# -- audio ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncodedAudio:
    data: bytes
    mime: str
    duration_s: float

    @property
    def bytes_per_minute(self) -> float:
        return len(self.data) / self.duration_s * 60 if self.duration_s > 0 else 0.0


def encode_audio(path: str | Path) -> EncodedAudio:
    """A recording as compressed 16 kHz mono Ogg: Opus through libsndfile when it has it, else
    Vorbis, else ffmpeg's libopus."""
    import soundfile as sf

    from practice.speech import audio

    recording = audio.load(path)
    subtypes = sf.available_subtypes("OGG")
    for subtype, kwargs in (
        ("OPUS", {"compression_level": OPUS_COMPRESSION_LEVEL}),
        ("VORBIS", {"compression_level": 0.9}),
    ):
        if subtype not in subtypes:
            continue
        buffer = io.BytesIO()
        try:
            sf.write(buffer, recording.samples, AUDIO_RATE, format="OGG", subtype=subtype, **kwargs)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            continue  # an older libsndfile that lists the codec but cannot write it
        return EncodedAudio(buffer.getvalue(), "audio/ogg", recording.duration_s)
    return EncodedAudio(_ffmpeg_opus(recording.samples), "audio/ogg", recording.duration_s)


def _ffmpeg_opus(samples: Any) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError(
            "Cannot compress audio for the report: this libsndfile has no Ogg "
            "encoder and ffmpeg is missing; install ffmpeg (apt install ffmpeg)."
        )
    cmd = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-f",
        "f32le",
        "-ar",
        str(AUDIO_RATE),
        "-ac",
        "1",
        "-i",
        "-",
        "-c:a",
        "libopus",
        "-b:a",
        FFMPEG_OPUS_BITRATE,
        "-f",
        "ogg",
        "-",
    ]
    try:
        proc = subprocess.run(cmd, input=samples.tobytes(), capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise AudioError(f"ffmpeg could not compress audio for the report: {e}") from e
    return proc.stdout


# -- CSV and JSON exports -------------------------------------------------------------------------


def csv_row(attempt: Attempt) -> dict[str, Any]:
    from practice.history.progress import metric_value

    a = attempt.analysis
    q, d, st = a.question, a.delivery, a.structure
    row = {
        "id": attempt.id,
        "created_at": attempt.created_at,
        "category": a.category,
        "question_id": q.id if q else None,
        "question_text": q.text if q else None,
        "source": a.source,
        "duration_s": None if a.duration_s is None else round(a.duration_s, 3),
        **{
            k: a.scores.score(k)
            for k in ("overall", "structure", "delivery", "enthusiasm", "content")
        },
        **{k: getattr(d, k) for k in (_DELIVERY_COLUMNS if d is not None else ())},
        "pitch_variation_semitones": a.prosody.pitch_variation_semitones if a.prosody else None,
        **{
            k: getattr(st, k)
            for k in ("situation", "task", "action", "result", "result_quantified")
        },
        "star_completeness": metric_value(a, "star_completeness"),
        "analyzer_version": a.analyzer_version,
        "engine": a.transcript.engine,
        "model": a.transcript.model,
    }
    return {k: row.get(k) for k in CSV_COLUMNS}


# A text cell a spreadsheet would read as a formula: =, +, - or @ first, after any white space.
_FORMULA_START = ("=", "+", "-", "@")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: None empty, numbers as they are, a text cell that a spreadsheet
    would run as a formula ("=HYPERLINK(...)", "-1+2") made plain text by a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.lstrip().startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Sequence[Attempt], out: io.TextIOBase | Any) -> int:
    """One line per attempt, oldest first, with the main measures; return the count."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    ordered = sorted(rows, key=lambda r: r.id)
    for attempt in ordered:
        writer.writerow({k: csv_cell(v) for k, v in csv_row(attempt).items()})
    return len(ordered)


def json_export(rows: Sequence[Attempt]) -> list[dict[str, Any]]:
    """The attempts' JSON, oldest first, without the local audio path (it means nothing
    elsewhere)."""
    return [
        {k: v for k, v in r.to_dict().items() if k != "audio_path"}
        for r in sorted(rows, key=lambda r: r.id)
    ]


def write_bundle(
    attempt: Attempt,
    dest: Path,
    *,
    same_question: Sequence[Attempt] = (),
    previous: Attempt | None = None,
) -> Path:
    """A zip for a coach: the attempt's JSON, its recording as it was saved, and the one-attempt
    HTML report (which plays without anything else installed)."""
    dest = Path(dest).expanduser()
    audio_path = attempt.audio_path
    partial = dest.with_name(f".tmp-{dest.name}")
    try:
        with (
            open_private(partial, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf,
        ):
            stem = f"attempt-{attempt.id}"
            zf.writestr(
                f"{stem}.json", json.dumps(json_export([attempt])[0], indent=2, ensure_ascii=False)
            )
            if audio_path is not None and audio_path.exists():
                zf.write(audio_path, f"{stem}{audio_path.suffix}", compress_type=zipfile.ZIP_STORED)
            page = build_html(
                [attempt],
                all_rows=same_question or [attempt],
                previous={attempt.id: previous} if previous else None,
            )
            zf.writestr(f"{stem}.html", page.html)
        partial.replace(dest)
    except OSError as e:
        raise InputError(f"Cannot write {dest}: {e.strerror or e}; check the folder.") from e
    finally:
        partial.unlink(missing_ok=True)
    return dest


# -- the HTML report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    html: str
    attempts: int
    audio_seconds: float
    audio_bytes: int

    @property
    def audio_bytes_per_minute(self) -> float:
        return self.audio_bytes / self.audio_seconds * 60 if self.audio_seconds else 0.0


# The report's own script and stylesheet are inline, each allowed by its hash alone: any other
# script or style in the page (text from a crafted backup that escaped its escaping) is refused
# by the browser. The charts carry no CSS (charts.svg writes presentation attributes instead).
CSP = (
    "default-src 'none'; style-src {style}; script-src {script}; "
    "media-src data:; img-src data:; base-uri 'none'; form-action 'none'"
)


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _sentences_view(analysis: Analysis) -> list[dict[str, Any]]:
    from practice.history.review import marked_sentences

    out = []
    for s in marked_sentences(analysis):
        tokens = [
            {
                "kind": t.kind,
                "text": t.text,
                "detail": t.detail,
                "start": t.start,
                "end": t.end or t.start,
            }
            for t in s.tokens
        ]
        css_label = s.label if s.label in ("situation", "task", "action", "result") else "other"
        out.append({"label": s.label, "css_label": css_label, "tokens": tokens})
    return out


def _changes_view(title: str, changes: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not changes:
        return None
    rows = [
        {
            "label": c["label"],
            "before": _fmt(c["before"], 1),
            "after": _fmt(c["after"], 1),
            "verdict": c["verdict"],
        }
        for c in changes
    ]
    return {"title": title, "rows": rows}


def _delivery_line(dl: Delivery | None) -> str | None:
    if dl is None:
        return None
    return (
        f"Pace {_fmt(dl.words_per_minute)} wpm · {dl.filler_count} um/uh, "
        f"{dl.discourse_filler_count} other fillers · {dl.hedge_count} hedges · "
        f"{dl.long_pause_count} long pauses (longest {_fmt(dl.longest_pause_s, 1)} s)"
    )


def attempt_view(
    attempt: Attempt,
    *,
    previous: Attempt | None,
    same_question: Sequence[Attempt],
    audio_url: str | None = None,
) -> tuple[dict[str, Any], float, int]:
    """What one attempt's section (the template `_attempt.html`) shows; also the seconds and
    bytes of audio embedded. With `audio_url` (the app, which serves the recording itself) the
    player points there instead of carrying the audio inside the page."""
    from practice.history import review

    a = attempt.analysis
    data = review.build(attempt, previous=previous, same_question=same_question)
    meta = [local_minute(attempt.created_at), a.category or "no category"]
    duration = None if a.duration_s is None else round(a.duration_s, 3)  # as its JSON has it
    if duration:
        meta.append(f"{duration:.0f} s")
    if a.source:
        meta.append(Path(a.source).name)
    audio_src, audio_note, seconds, size = None, None, 0.0, 0
    path = attempt.audio_path
    if path is not None and path.exists() and audio_url is not None:
        audio_src = audio_url
    elif path is not None and path.exists():
        try:
            encoded = encode_audio(path)
        except AudioError as err:
            audio_note = f"The recording could not be embedded: {err}"
        else:
            b64 = base64.b64encode(encoded.data).decode("ascii")
            audio_src = f"data:{encoded.mime};base64,{b64}"
            seconds, size = encoded.duration_s, len(encoded.data)
    elif path:
        audio_note = "The recording is no longer in the history."
    dimensions = []
    for dim in review.DIMENSIONS:
        d = getattr(a.scores, dim)
        if d is not None:
            dimensions.append(
                {"name": dim.capitalize(), "score": d.score, "reason": d.reason, "tip": d.tip}
            )
    comparisons = []
    if data["previous"]:
        comparisons.append(
            _changes_view(
                f"Compared with the previous try (#{data['previous']['id']})",
                data["previous"]["changes"],
            )
        )
    best, best_note = data["best"], None
    if best and best["is_this"] and best["attempts"] > 1:
        best_note = f"Your best at this question so far ({best['attempts']} attempts)."
    elif best and not best["is_this"]:
        comparisons.append(
            _changes_view(
                f"Compared with your best at this question (#{best['id']}, {best['overall']})",
                best["changes"],
            )
        )
    view = {
        "id": attempt.id,
        "question": a.question.text if a.question and a.question.text else "Answer",
        "meta": " · ".join(str(m) for m in meta),
        "audio_src": audio_src,
        "audio_note": audio_note,
        "sentences": _sentences_view(a),
        "delivery": _delivery_line(a.delivery),
        "star": review.star_text(a.structure),
        "overall": _fmt(a.scores.overall),
        "dimensions": dimensions,
        "tips": list(data["tips"]),
        "comparisons": [c for c in comparisons if c is not None],
        "best_note": best_note,
    }
    return view, seconds, size


def progress_view(rows: Sequence[Attempt], prog: Progress | None = None) -> dict[str, Any]:
    """What the progress section (the template `_progress.html`) shows: the charts as inline
    SVG, each measure's first, recent and best, each category, the wins and the weak spots.
    `prog` when it is built already (with story titles), else built from `rows`."""
    from practice.history import charts
    from practice.history.progress import build, short_date

    prog = prog or build(rows)
    metrics = []
    for m in prog.metrics:
        if not m.points:
            continue
        unit = "" if m.unit in ("", "share") else (m.unit if m.unit[0] == "/" else f" {m.unit}")
        d = m.measure.digits
        best = "–"
        if m.best:
            best = (
                f"{_fmt(m.best.value, d)} on {short_date(m.best.date)} "
                f"(#{m.best.id}, {m.measure.best_means})"
            )
        target = m.measure.target
        metrics.append(
            {
                "label": m.label + unit,
                "first": _fmt(m.first, d),
                "recent": _fmt(m.recent, d),
                "trend": m.trend,
                "best": best,
                "target": "–" if target is None else target.text(m.unit),
            }
        )
    categories = [
        {
            "name": name,
            "attempts": c.attempts,
            "first": _fmt(c.first.value),
            "best": f"{_fmt(c.best.value)} on {short_date(c.best.date)}",
            "latest": _fmt(c.latest.value),
            "average": _fmt(c.average),
            "direction": c.direction,
        }
        for name, c in (prog.by_category or {}).items()
    ]
    return {
        "charts_svg": charts.svg(prog),
        "window": prog.metric("overall").window,
        "metrics": metrics,
        "categories": categories,
        "wins": [w[0].upper() + w[1:] + "." for w in prog.wins],
        "weak_spots": [{"text": w.text, "detail": w.detail, "tip": w.tip} for w in prog.weak_spots],
    }


def build_html(
    attempts: Sequence[Attempt],
    *,
    all_rows: Sequence[Attempt] | None = None,
    previous: dict[int, Attempt | None] | None = None,
    sessions: Mapping[int, Session] | None = None,
) -> Report:
    """The report page for `attempts`; `all_rows` (default: the same) give each attempt's
    previous try and personal best at its question; `previous` overrides the previous try;
    `sessions` name the interviews whose answers are grouped under a heading."""
    from practice.core import pages

    if not attempts:
        raise InputError("No attempts to report; analyse an answer first, or widen the selection.")
    pool = sorted(all_rows or attempts, key=lambda r: r.id)
    ordered = sorted(attempts, key=lambda r: r.id)
    views: list[dict[str, Any]] = []
    seconds, size = 0.0, 0
    for p in ordered:
        key = _question_key(p)
        same = [r for r in pool if key is not None and _question_key(r) == key]
        before = [r for r in same if r.id < p.id]
        prev = (previous or {}).get(p.id, before[-1] if before else None)
        view, s, b = attempt_view(p, previous=prev, same_question=same or [p])
        view["session_heading"] = None
        if p.session_id is not None and (not views or views[-1]["session_id"] != p.session_id):
            view["session_heading"] = _session_heading(p, ordered, sessions or {})
        view["session_id"] = p.session_id
        views.append(view)
        seconds += s
        size += b
    first = local_day(ordered[0].created_at)
    last = local_day(ordered[-1].created_at)
    script, script_hash = pages.inline("report.js")
    style, style_hash = pages.inline("report.css")
    page = pages.render(
        "report.html",
        csp=CSP.format(script=script_hash, style=style_hash),
        script=script,
        style=style,
        attempts=views,
        span=first if first == last else f"{first} to {last}",
        generated=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        progress=progress_view(ordered) if len(ordered) > 1 else None,
    )
    return Report(page, len(ordered), seconds, size)


def _session_heading(
    attempt: Attempt, ordered: Sequence[Attempt], sessions: Mapping[int, Session]
) -> str:
    """ "Interview 1, 2026-11-30 09:06: 3 answers, average 62" """
    from practice.history.sessions import heading

    assert attempt.session_id is not None  # asked only for an interview's answers
    members = [r for r in ordered if r.session_id == attempt.session_id]
    return heading(attempt.session_id, members, sessions)


def _question_key(attempt: Attempt) -> str | None:
    q = attempt.analysis.question
    return (q.id or q.text or None) if q is not None else None
