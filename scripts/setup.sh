#!/usr/bin/env bash
# Create .venv/ in the checkout with everything practice needs, on a fresh Debian/Ubuntu machine.
# Idempotent: a second run only checks. Usage: scripts/setup.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(espeak-ng sox ffmpeg libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins chromium)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: no apt-get here; install ffmpeg and PortAudio yourself (see README)" >&2
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
extra=""; [ "${1:-}" = "--dev" ] && extra="[dev]"
stamp=".venv/.practice-installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/constraints.txt -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv/ (first time: a few minutes)" >&2
  .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
  # torch first, pinned to the CPU build, so openai-whisper's dependency is already satisfied.
  .venv/bin/python -m pip install -q -c scripts/constraints.txt "torch==2.13.0"
  .venv/bin/python -m pip install -q -c scripts/constraints.txt -e ".$extra"
  touch "$stamp"
fi
