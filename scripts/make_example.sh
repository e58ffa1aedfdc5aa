#!/usr/bin/env bash
# Regenerate tests/data/example_answer.flac, the built-in example answer the demo analyses:
# a success story spoken by espeak-ng, with one filled pause and a two-second pause.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { espeak-ng -v en-us -s 150 -w "$tmp/$1.wav" "$2"; }
say a "Last spring I was the support lead at a small software company, and our customers were \
waiting three days for an answer."
say b "My goal was to bring that under one day without hiring anyone."
say c "Um, first I sorted every ticket from the previous month by topic, and I wrote answers \
for the ten most common questions. Then I set up a rota so that someone always watched the queue."
say d "Within six weeks our average response time fell from three days to five hours, and \
customer satisfaction rose by twenty percent."
sox -n -r 22050 -c 1 "$tmp/gap.wav" trim 0 0.6
sox -n -r 22050 -c 1 "$tmp/long.wav" trim 0 2.2
sox "$tmp/a.wav" "$tmp/gap.wav" "$tmp/b.wav" "$tmp/gap.wav" "$tmp/c.wav" "$tmp/long.wav" \
  "$tmp/d.wav" -r 16000 -c 1 tests/data/example_answer.flac
soxi -D tests/data/example_answer.flac
