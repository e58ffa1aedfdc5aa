"""Work that busy threads post and idle ones take: the batch path's groups share out the
skipped speech they find, so a group that has finished decodes another's.

Each group finds its skipped speech only after decoding its stretches, and each part costs a
whole encoder pass (0.8-0.9 s on one core), so the groups finish unevenly: on a 2-minute answer
one core idled 0.7-1.0 s at the end while the other decoded two parts one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Job(Generic[T]):
    def __init__(self, run: Callable[[], T]) -> None:
        self.run = run
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None

    def __call__(self) -> None:
        try:
            self.value = self.run()
        except BaseException as e:  # handed to the thread that posted the job
            self.error = e
        finally:
            self.done.set()


class WorkShare:
    """Jobs shared among `workers` threads. A thread with jobs calls `run_all`, which runs
    them in order but lets an idle thread take any not yet started; a thread that has nothing
    left calls `serve` and takes jobs until every thread has finished."""

    def __init__(self, workers: int) -> None:
        self._ready = threading.Condition()
        self._waiting: list[_Job] = []
        self._working = workers  # threads that may still post jobs

    def run_all(self, jobs: list[Callable[[], T]]) -> list[T]:
        """Each job's value, in order; a job's exception is raised here."""
        posted = [_Job(run) for run in jobs]
        with self._ready:
            self._waiting += posted
            self._ready.notify_all()
        for job in posted:
            if self._claim(job):
                job()
        out = []
        for job in posted:
            job.done.wait()
            if job.error is not None:
                raise job.error
            out.append(job.value)
        return out  # type: ignore[return-value]

    def serve(self) -> None:
        """Take others' jobs until no thread can post any more (call once, when done)."""
        with self._ready:
            self._working -= 1
            self._ready.notify_all()
        while True:
            with self._ready:
                while not self._waiting and self._working > 0:
                    self._ready.wait()
                if not self._waiting:
                    return
                job = self._waiting.pop(0)
            job()

    def _claim(self, job: _Job) -> bool:
        with self._ready:
            if job in self._waiting:
                self._waiting.remove(job)
                return True
            return False
