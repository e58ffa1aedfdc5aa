"""The speech model loaded in the background, so it is ready when the audio is.

`ask` and `interview` load it while the question is read and answered; `analyze` while the
first file is cut into stretches and its pitch is measured. The engines keep a loaded model
for the life of the process, so it is loaded once however many answers follow.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path


class ModelLoader(threading.Thread):
    """Assembles (on first use) and loads a model; join() before analysing. A failure here is
    ignored: the analysis loads the model again and reports it in one line."""

    def __init__(self, home: Path, engine: str, model: str | None, *, workers: int) -> None:
        super().__init__(name="model-loader", daemon=True)
        self.home = home
        self.engine = engine
        self.model = model
        self.workers = workers

    def run(self) -> None:
        from practice.speech import models

        with contextlib.suppress(Exception):
            _, path = models.resolve(self.home, self.model, self.engine)
            if self.engine == "faster-whisper":
                from practice.speech import engine_faster

                engine_faster.load(path, workers=self.workers)
            else:
                from practice.speech import engine_openai

                engine_openai.load(path)


def start(home: Path, engine: str, model: str | None, *, workers: int = 1) -> ModelLoader:
    """A loader already loading the model that `workers` threads will share (see
    transcribe.batch_workers for a file's; the live path uses one)."""
    loader = ModelLoader(home, engine, model, workers=workers)
    loader.start()
    return loader
