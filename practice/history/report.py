"""Reports and exports of the history: one self-contained HTML file (audio, transcripts that
follow playback, scores, progress charts), CSV and JSON exports, and a zip for a coach.

The HTML needs no network: styles, script, charts (inline SVG) and audio (Ogg Opus, base64) are
all inside the file, and its Content-Security-Policy forbids loading anything else.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from practice.core.errors import AudioError, InputError
from practice.core.records import Attempt
from practice.core.results import Analysis, Delivery

AUDIO_RATE = 16_000  # Hz: what the history analyses; plenty for speech
# libsndfile maps compression_level 0-1 onto the Opus bitrate; 0.95 gives about 17.6 kbit/s on
# speech (measured here: about 130 kB per minute), clear speech at a twelfth of 16-bit WAV.
OPUS_COMPRESSION_LEVEL = 0.95
FFMPEG_OPUS_BITRATE = "18k"  # the same budget when ffmpeg has to encode instead
CSV_COLUMNS = (
    "id", "created_at", "category", "question_id", "question_text", "source", "duration_s",
    "overall", "structure", "delivery", "enthusiasm", "content", "words_per_minute",
    "articulation_rate_wpm", "fillers_per_minute", "filler_count", "discourse_filler_count",
    "hedge_count", "pause_count", "long_pause_count", "longest_pause_s",
    "pitch_variation_semitones", "situation", "task", "action", "result", "result_quantified",
    "star_completeness", "analyzer_version", "engine", "model",
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
    for subtype, kwargs in (("OPUS", {"compression_level": OPUS_COMPRESSION_LEVEL}),
                            ("VORBIS", {"compression_level": 0.9})):
        if subtype not in subtypes:
            continue
        buffer = io.BytesIO()
        try:
            sf.write(buffer, recording.samples, AUDIO_RATE, format="OGG", subtype=subtype,
                     **kwargs)
        except (sf.LibsndfileError, RuntimeError, TypeError):
            continue  # an older libsndfile that lists the codec but cannot write it
        return EncodedAudio(buffer.getvalue(), "audio/ogg", recording.duration_s)
    return EncodedAudio(_ffmpeg_opus(recording.samples), "audio/ogg", recording.duration_s)


def _ffmpeg_opus(samples: Any) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError("Cannot compress audio for the report: this libsndfile has no Ogg "
                         "encoder and ffmpeg is missing; install ffmpeg (apt install ffmpeg).")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", "1",
           "-i", "-", "-c:a", "libopus", "-b:a", FFMPEG_OPUS_BITRATE, "-f", "ogg", "-"]
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
        "id": attempt.id, "created_at": attempt.created_at, "category": a.category,
        "question_id": q.id if q else None, "question_text": q.text if q else None,
        "source": a.source,
        "duration_s": None if a.duration_s is None else round(a.duration_s, 3),
        **{k: a.scores.score(k)
           for k in ("overall", "structure", "delivery", "enthusiasm", "content")},
        **{k: getattr(d, k) for k in (_DELIVERY_COLUMNS if d is not None else ())},
        "pitch_variation_semitones": a.prosody.pitch_variation_semitones if a.prosody else None,
        **{k: getattr(st, k) for k in ("situation", "task", "action", "result",
                                       "result_quantified")},
        "star_completeness": metric_value(a, "star_completeness"),
        "analyzer_version": a.analyzer_version, "engine": a.transcript.engine,
        "model": a.transcript.model,
    }
    return {k: row.get(k) for k in CSV_COLUMNS}


def write_csv(rows: Sequence[Attempt], out: io.TextIOBase | Any) -> int:
    """One line per attempt, oldest first, with the main measures; return the count."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    ordered = sorted(rows, key=lambda r: r.id)
    for attempt in ordered:
        writer.writerow({k: ("" if v is None else v) for k, v in csv_row(attempt).items()})
    return len(ordered)


def json_export(rows: Sequence[Attempt]) -> list[dict[str, Any]]:
    """The attempts' JSON, oldest first, without the local audio path (it means nothing
    elsewhere)."""
    return [{k: v for k, v in r.to_dict().items() if k != "audio_path"}
            for r in sorted(rows, key=lambda r: r.id)]


def write_bundle(attempt: Attempt, dest: Path, *, same_question: Sequence[Attempt] = (),
                 previous: Attempt | None = None) -> Path:
    """A zip for a coach: the attempt's JSON, its recording as it was saved, and the one-attempt
    HTML report (which plays without anything else installed)."""
    dest = Path(dest).expanduser()
    audio_path = attempt.audio_path
    partial = dest.with_name(f".tmp-{dest.name}")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            stem = f"attempt-{attempt.id}"
            zf.writestr(f"{stem}.json", json.dumps(json_export([attempt])[0], indent=2,
                                                   ensure_ascii=False))
            if audio_path is not None and audio_path.exists():
                zf.write(audio_path, f"{stem}{audio_path.suffix}",
                         compress_type=zipfile.ZIP_STORED)
            page = build_html([attempt], all_rows=same_question or [attempt],
                              previous={attempt.id: previous} if previous else None)
            zf.writestr(f"{stem}.html", page.html)
        partial.replace(dest)
    except OSError as e:
        raise InputError(f"Cannot write {dest}: {e.strerror or e}; check the folder.") from e
    finally:
        partial.unlink(missing_ok=True)
    return dest


# -- charts ---------------------------------------------------------------------------------------

COLOURS = {"overall": "#1f2937", "structure": "#0e7490", "delivery": "#7c3aed",
           "enthusiasm": "#d97706", "content": "#059669", "words_per_minute": "#2563eb",
           "fillers_per_minute": "#dc2626", "long_pause_count": "#6b7280"}


def svg_chart(series: Sequence[tuple[str, str, Sequence[tuple[int, float]]]], *, title: str,
              y_label: str, y_min: float | None = None, y_max: float | None = None,
              band: tuple[float, float] | None = None, width: int = 480,
              height: int = 210) -> str:
    """A line chart as inline SVG: `series` is (label, colour, [(attempt id, value)]), x is the
    attempt's position in time; `band` shades a target range."""
    left, right, top, bottom = 44, 12, 42, 30  # room for the title and legend above
    xs = sorted({x for _, _, pts in series for x, _ in pts})
    values = [v for _, _, pts in series for _, v in pts] + (list(band) if band else [])
    if not xs or not values:
        return ""
    lo = min(values) if y_min is None else y_min
    hi = max(values) if y_max is None else y_max
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pos = {x: i for i, x in enumerate(xs)}
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: int) -> float:
        return left + (pos[x] / max(1, len(xs) - 1)) * plot_w if len(xs) > 1 else left + plot_w / 2

    def py(v: float) -> float:
        return top + (1 - (v - lo) / (hi - lo)) * plot_h

    e = html.escape
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{e(title)}">',
             f'<text x="{left}" y="16" class="ct">{e(title)}</text>']
    if band:
        y0, y1 = py(min(band[1], hi)), py(max(band[0], lo))
        parts.append(f'<rect x="{left}" y="{y0:.1f}" width="{plot_w}" height="{y1 - y0:.1f}" '
                     'fill="#16a34a" opacity="0.10"/>')
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                     'stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" class="ax" '
                     f'text-anchor="end">{v:.0f}</text>')
    step = max(1, len(xs) // 10)
    for x in xs[::step]:
        parts.append(f'<text x="{px(x):.1f}" y="{height - 12}" class="ax" '
                     f'text-anchor="middle">#{x}</text>')
    parts.append(f'<text x="10" y="{top + plot_h / 2:.0f}" class="ax" '
                 f'transform="rotate(-90 10 {top + plot_h / 2:.0f})" '
                 f'text-anchor="middle">{e(y_label)}</text>')
    legend_x = float(left)
    for label, colour, pts in series:
        if not pts:
            continue
        coords = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in pts)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        for x, v in pts:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="2.5" fill="{colour}">'
                         f'<title>#{x}: {v:g}</title></circle>')
        parts.append(f'<text x="{legend_x:.0f}" y="33" class="lg" fill="{colour}">'
                     f'■ {e(label)}</text>')
        legend_x += 7 * len(label) + 24  # about 7 px a character at 12 px
    parts.append("</svg>")
    return "".join(parts)


def progress_charts(rows: Sequence[Attempt]) -> str:
    from practice.core.thresholds import PACE_HIGH_WPM, PACE_LOW_WPM
    from practice.history.progress import SCORE_KEYS, build

    prog = build(rows)

    def pts(key: str) -> list[tuple[int, float]]:
        return [(p.id, p.value) for p in prog.metric(key).points]

    scores = svg_chart([(prog.metric(k).label, COLOURS[k], pts(k)) for k in SCORE_KEYS],
                       title="Scores", y_label="0-100", y_min=0, y_max=100)
    pace = svg_chart([("Pace", COLOURS["words_per_minute"], pts("words_per_minute"))],
                     title=f"Pace (shaded: {PACE_LOW_WPM}-{PACE_HIGH_WPM} wpm)",
                     y_label="wpm", band=(PACE_LOW_WPM, PACE_HIGH_WPM))
    fillers = svg_chart([("Fillers per minute", COLOURS["fillers_per_minute"],
                          pts("fillers_per_minute")),
                         ("Long pauses", COLOURS["long_pause_count"], pts("long_pause_count"))],
                        title="Fillers and long pauses", y_label="count", y_min=0)
    return scores + pace + fillers


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


CSS = """
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#fafaf9}
*{box-sizing:border-box}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg);margin:0 auto;max-width:1080px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 4px}
h3{font-size:14px;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.05em;
color:var(--muted)}
.meta{color:var(--muted);font-size:13px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 20px;
margin:18px 0}
.charts{display:flex;flex-wrap:wrap;gap:8px}
.chart .ct{font:600 13px system-ui,sans-serif;fill:#111827}
.chart .ax{font:11px system-ui,sans-serif;fill:#6b7280}.chart .lg{font:12px system-ui,sans-serif}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.improving{color:#15803d}.slipping{color:#b91c1c}.better{color:#15803d}.worse{color:#b91c1c}
audio{width:100%;margin:10px 0}
.transcript p{margin:4px 0;padding-left:96px;text-indent:-96px}
.lab{display:inline-block;width:86px;text-indent:0;font-size:11px;font-weight:700;
text-transform:uppercase;letter-spacing:.04em;border-radius:4px;padding:1px 5px;margin-right:8px;
text-align:center}
.lab-situation{background:#cffafe;color:#155e75}.lab-task{background:#dbeafe;color:#1e40af}
.lab-action{background:#dcfce7;color:#166534}.lab-result{background:#fae8ff;color:#86198f}
.lab-other{background:#f3f4f6;color:#6b7280}
.w{border-radius:3px;padding:0 1px;cursor:pointer}
.w.filler{color:#b91c1c;background:#fee2e2}.w.hedge{color:#92400e;background:#fef3c7;
font-style:italic}
.w.current{background:#fde047;color:#111827;box-shadow:0 0 0 2px #facc15}
.pause{font-size:12px;color:#7c3aed;background:#ede9fe;border-radius:3px;padding:0 4px}
.legend span{margin-right:12px}
.tip{color:#374151;font-size:13px}.reason{color:var(--muted)}
ul.weak li{margin:4px 0}
"""

SCRIPT = r"""
(function () {
  "use strict";
  function wire(section) {
    var audio = section.querySelector("audio");
    var words = Array.prototype.slice.call(section.querySelectorAll(".w[data-start]"));
    if (!audio || !words.length) return null;
    var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
    var current = -1;
    function highlight() {
      var t = audio.currentTime, lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {  // the last word that has started by now
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t + 0.02) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      if (found === current) return;
      if (current >= 0) words[current].classList.remove("current");
      if (found >= 0) words[found].classList.add("current");
      current = found;
      section.setAttribute("data-current-word", String(found));
    }
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
    words.forEach(function (w) {
      w.addEventListener("click", function () {
        audio.currentTime = parseFloat(w.getAttribute("data-start"));
        audio.play();
      });
    });
    return {audio: audio, words: words, starts: starts, section: section};
  }
  var players = Array.prototype.slice.call(document.querySelectorAll("section.attempt"))
    .map(wire).filter(Boolean);

  // ?autotest: play (muted) from the middle of the first attempt and report which words were
  // highlighted while it played, in document.title and <body data-autotest>, for a headless test.
  if (!/[?&]autotest\b/.test(location.search)) return;
  function report(result) {
    var text = JSON.stringify(result);
    document.body.setAttribute("data-autotest", text);
    document.title = "autotest " + text;
  }
  var p = players[0];
  if (!p) { report({ok: false, error: "no attempt with audio and words"}); return; }
  var k = Math.floor(p.words.length / 2);
  var from = p.starts[k] + 0.01, seen = [];
  var watch = function () {
    var i = parseInt(p.section.getAttribute("data-current-word") || "-1", 10);
    if (!seen.length || seen[seen.length - 1] !== i) seen.push(i);
    var moved = seen.filter(function (x) { return x > k; }).length > 0;
    if (moved || p.audio.ended) {
      p.audio.removeEventListener("timeupdate", watch);
      p.audio.pause();
      report({ok: moved, from_word: k, from_s: from, seen: seen, time_s: p.audio.currentTime});
    }
  };
  p.audio.muted = true;
  p.audio.addEventListener("timeupdate", watch);
  p.audio.currentTime = from;
  var started = p.audio.play();
  if (started && started.catch) {
    started.catch(function (e) { report({ok: false, error: "play failed: " + e}); });
  }
})();
"""


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _transcript_html(analysis: Analysis) -> str:
    from practice.history.review import marked_sentences

    e = html.escape
    out = []
    for s in marked_sentences(analysis):
        pieces = []
        for t in s.tokens:
            if t.kind == "pause":
                pieces.append(f'<span class="pause" title="long pause">pause {t.detail} s</span>')
                continue
            cls = "w" if t.kind == "word" else f"w {t.kind}"
            timing = ""
            if t.start is not None:
                timing = f' data-start="{t.start:.2f}" data-end="{(t.end or t.start):.2f}"'
            title = f' title="{e(t.kind)}: {e(t.detail)}"' if t.kind != "word" else ""
            pieces.append(f'<span class="{cls}"{timing}{title}>{e(t.text)}</span>')
        label = s.label if s.label in ("situation", "task", "action", "result") else "other"
        out.append(f'<p><span class="lab lab-{label}">{e(s.label)}</span>{" ".join(pieces)}</p>')
    return "\n".join(out)


def _changes_html(title: str, changes: Sequence[dict[str, Any]]) -> str:
    if not changes:
        return ""
    rows = "".join(
        f'<tr><td>{html.escape(c["label"])}</td><td class="n">{_fmt(c["before"], 1)}</td>'
        f'<td class="n">{_fmt(c["after"], 1)}</td><td class="{c["verdict"]}">{c["verdict"]}</td>'
        "</tr>" for c in changes)
    return (f"<h3>{html.escape(title)}</h3><table><tr><th>measure</th><th>then</th><th>now</th>"
            f"<th></th></tr>{rows}</table>")


def _attempt_html(attempt: Attempt, *, previous: Attempt | None,
                  same_question: Sequence[Attempt]) -> tuple[str, float, int]:
    """One attempt's section; also the seconds and bytes of audio embedded."""
    from practice.history import review

    e = html.escape
    a = attempt.analysis
    data = review.build(attempt, previous=previous, same_question=same_question)
    q = a.question.text if a.question and a.question.text else "Answer"
    when = attempt.created_at[:16].replace("T", " ")
    meta = [when, a.category or "no category"]
    duration = None if a.duration_s is None else round(a.duration_s, 3)  # as its JSON has it
    if duration:
        meta.append(f"{duration:.0f} s")
    if a.source:
        meta.append(Path(a.source).name)
    audio_html, seconds, size = "", 0.0, 0
    path = attempt.audio_path
    if path is not None and path.exists():
        try:
            encoded = encode_audio(path)
        except AudioError as err:
            audio_html = f'<p class="meta">The recording could not be embedded: {e(str(err))}</p>'
        else:
            b64 = base64.b64encode(encoded.data).decode("ascii")
            audio_html = (f'<audio controls preload="auto" '
                          f'src="data:{encoded.mime};base64,{b64}"></audio>')
            seconds, size = encoded.duration_s, len(encoded.data)
    elif path:
        audio_html = '<p class="meta">The recording is no longer in the history.</p>'
    score_rows = [f'<tr><td><b>Overall</b></td><td class="n"><b>'
                  f'{_fmt(a.scores.overall)}</b></td><td></td></tr>']
    for dim in review.DIMENSIONS:
        d = getattr(a.scores, dim)
        if d is None:
            continue
        tip = f'<div class="tip">Tip: {e(d.tip)}</div>' if d.tip else ""
        score_rows.append(f'<tr><td>{dim.capitalize()}</td><td class="n">{d.score}</td>'
                          f'<td><span class="reason">{e(d.reason)}</span>{tip}</td></tr>')
    dl = a.delivery
    delivery = ""
    if dl is not None:
        delivery = (f'<p class="meta">Pace {_fmt(dl.words_per_minute)} wpm · '
                    f'{dl.filler_count} um/uh, {dl.discourse_filler_count} other '
                    f'fillers · {dl.hedge_count} hedges · {dl.long_pause_count} '
                    f'long pauses (longest {_fmt(dl.longest_pause_s, 1)} s)</p>')
    tips = "".join(f"<li>{e(t)}</li>" for t in data["tips"])
    compare = ""
    if data["previous"]:
        compare += _changes_html(f"Compared with the previous try (#{data['previous']['id']})",
                                 data["previous"]["changes"])
    best = data["best"]
    if best and best["is_this"] and best["attempts"] > 1:
        compare += (f'<p class="better">Your best at this question so far '
                    f'({best["attempts"]} attempts).</p>')
    elif best and not best["is_this"]:
        compare += _changes_html(f"Compared with your best at this question (#{best['id']}, "
                                 f"{best['overall']})", best["changes"])
    section = f"""<section class="attempt" id="attempt-{attempt.id}">
<h2>#{attempt.id} · {e(q)}</h2>
<div class="meta">{e(' · '.join(str(m) for m in meta))}</div>
{audio_html}
<h3>Transcript</h3>
<div class="legend meta"><span class="w filler">um</span> filler
<span class="w hedge">maybe</span> hedge <span class="pause">pause</span> long pause ·
click a word to play from there</div>
<div class="transcript">{_transcript_html(a)}</div>
{delivery}
<h3>Scores</h3><table>{''.join(score_rows)}</table>
{f'<h3>Next time</h3><ul>{tips}</ul>' if tips else ''}
{compare}
</section>"""
    return section, seconds, size


def _progress_html(rows: Sequence[Attempt]) -> str:
    from practice.history.progress import build

    prog = build(rows)
    e = html.escape
    lines = []
    for m in prog.metrics:
        if not m.points:
            continue
        best = f"{_fmt(m.best.value, 1)} (#{m.best.id})" if m.best else "–"
        unit = "" if m.unit in ("", "share") else (m.unit if m.unit[0] == "/" else f" {m.unit}")
        lines.append(f'<tr><td>{e(m.label + unit)}</td><td class="n">{_fmt(m.first, 1)}</td>'
                     f'<td class="n">{_fmt(m.recent, 1)}</td><td class="{m.trend}">{m.trend}'
                     f'</td><td class="n">{best}</td></tr>')
    weak = "".join(f"<li><b>{e(w.text)}</b><br><span class='tip'>{e(w.tip)}</span></li>"
                   for w in prog.weak_spots)
    return f"""<section class="progress"><h2>Progress</h2>
<div class="charts">{progress_charts(rows)}</div>
<table><tr><th>measure</th><th>first</th><th>recent</th><th>trend</th><th>best</th></tr>
{''.join(lines)}</table>
{f'<h3>Recurring weak spots</h3><ul class="weak">{weak}</ul>' if weak else ''}
</section>"""


def build_html(attempts: Sequence[Attempt], *, all_rows: Sequence[Attempt] | None = None,
               previous: dict[int, Attempt | None] | None = None) -> Report:
    """The report page for `attempts`; `all_rows` (default: the same) give each attempt's
    previous try and personal best at its question; `previous` overrides the previous try."""
    if not attempts:
        raise InputError("No attempts to report; analyse an answer first, or widen the selection.")
    pool = sorted(all_rows or attempts, key=lambda r: r.id)
    ordered = sorted(attempts, key=lambda r: r.id)
    sections, seconds, size = [], 0.0, 0
    for p in ordered:
        key = _question_key(p)
        same = [r for r in pool if key is not None and _question_key(r) == key]
        before = [r for r in same if r.id < p.id]
        prev = (previous or {}).get(p.id, before[-1] if before else None)
        section, s, b = _attempt_html(p, previous=prev, same_question=same or [p])
        sections.append(section)
        seconds += s
        size += b
    generated = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    first = ordered[0].created_at[:10]
    last = ordered[-1].created_at[:10]
    span = first if first == last else f"{first} to {last}"
    csp = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
           "media-src data:; img-src data:")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interview practice report</title>
<style>{CSS}</style></head>
<body>
<h1>Interview practice report</h1>
<div class="meta">{len(ordered)} attempts, {html.escape(span)} · made {generated} by practice ·
everything in this file stays on your computer</div>
{_progress_html(ordered) if len(ordered) > 1 else ''}
{''.join(sections)}
<script>{SCRIPT}</script>
</body></html>
"""
    return Report(page, len(ordered), seconds, size)


def _question_key(attempt: Attempt) -> str | None:
    q = attempt.analysis.question
    return (q.id or q.text or None) if q is not None else None
