#!/usr/bin/env bash
# First run on a fresh machine: install everything into .venv/ and analyse the built-in example
# answer (a spoken success story). Uses a throwaway data home unless PRACTICE_HOME is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PRACTICE_HOME=${PRACTICE_HOME:-$PWD/.demo-home}
.venv/bin/practice analyze tests/data/example_answer.flac \
  --question-text "Tell me about a time you improved a process." --category success-story
echo "Saved in $PRACTICE_HOME; try: PRACTICE_HOME=$PRACTICE_HOME .venv/bin/practice history" >&2
