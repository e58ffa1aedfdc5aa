"""Jobs a busy thread posts and an idle one takes."""

import threading

from practice.speech.workshare import WorkShare


def _thread(target) -> threading.Thread:
    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t


def test_an_idle_thread_takes_the_jobs_not_yet_started_and_values_keep_their_order():
    # Job 0 holds the poster until job 2 has run, so jobs 1 and 2 can only run on the helper
    # (were they not handed over, job 0 would time out and the poster fail).
    share = WorkShare(2)
    first_started, last_done = threading.Event(), threading.Event()
    ran_on: dict[int, str] = {}

    def job(i: int):
        def run() -> int:
            ran_on[i] = threading.current_thread().name
            if i == 0:
                first_started.set()
                assert last_done.wait(5)
            if i == 2:
                last_done.set()
            return i * 10

        return run

    got: list[int] = []
    poster = _thread(lambda: (got.extend(share.run_all([job(i) for i in range(3)])), share.serve()))
    assert first_started.wait(5)
    helper = _thread(share.serve)
    poster.join(10)
    helper.join(10)
    assert not poster.is_alive() and not helper.is_alive()
    assert got == [0, 10, 20]
    assert ran_on[0] == poster.name
    assert ran_on[1] == ran_on[2] == helper.name


def test_a_job_that_fails_on_the_helper_fails_the_poster():
    share = WorkShare(2)
    started, failed = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        assert failed.wait(5)  # the poster is busy until the helper has run `fail`

    def fail() -> None:
        failed.set()
        raise ValueError("bad piece")

    errors: list[BaseException] = []

    def post() -> None:
        try:
            share.run_all([hold, fail])
        except ValueError as e:
            errors.append(e)
        finally:
            share.serve()

    poster = _thread(post)
    assert started.wait(5)
    helper = _thread(share.serve)
    poster.join(10)
    helper.join(10)
    assert not poster.is_alive() and not helper.is_alive()
    assert [str(e) for e in errors] == ["bad piece"]


def test_serving_ends_when_every_thread_is_done_and_nothing_is_left():
    share = WorkShare(3)
    servers = [_thread(share.serve) for _ in range(2)]
    for t in servers:
        t.join(0.2)
        assert t.is_alive()  # a third thread may still post work
    assert share.run_all([lambda: "only"]) == ["only"]
    share.serve()
    for t in servers:
        t.join(5)
        assert not t.is_alive()


def test_one_thread_runs_its_jobs_itself():
    share = WorkShare(1)
    assert share.run_all([lambda: 1, lambda: 2]) == [1, 2]
    share.serve()  # returns at once: nobody else
