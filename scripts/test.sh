#!/usr/bin/env bash
# Install everything (Debian packages, .venv/ with dev tools) and run the whole test suite,
# real Whisper models and the virtual microphone included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check practice tests scripts
.venv/bin/ruff format --check practice tests scripts
.venv/bin/mypy practice
.venv/bin/python -m pytest -q "$@"
