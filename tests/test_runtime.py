"""Process-wide settings: one OpenBLAS thread and at most four malloc arenas."""

import subprocess
import sys

import pytest

from practice import runtime

PROGRAM = """
import ctypes, os, sys, threading
from practice import runtime
runtime.configure()
print(os.environ.get("OPENBLAS_NUM_THREADS"))
def work():
    blocks = [ctypes.create_string_buffer(200_000) for _ in range(50)]  # malloc'd in C
    barrier.wait()
barrier = threading.Barrier(12)
threads = [threading.Thread(target=work) for _ in range(11)]
[t.start() for t in threads]
barrier.wait()
sys.stdout.flush()
ctypes.CDLL(None).malloc_stats()  # one "Arena n:" block per arena, on stderr
[t.join() for t in threads]
"""


def _run(env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip(), done.stderr.count("Arena ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_threads_share_a_few_arenas_and_openblas_gets_one_thread():
    blas, arenas = _run({"PATH": "/usr/bin:/bin"})
    assert blas == "1"
    assert 1 <= arenas <= runtime.MALLOC_ARENAS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_the_users_own_settings_win():
    blas, arenas = _run(
        {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "2", "MALLOC_ARENA_MAX": "8"}
    )
    assert blas == "2"
    assert arenas > runtime.MALLOC_ARENAS  # twelve threads allocating at once: several more


@pytest.mark.parametrize(
    ("code", "status", "said"), [("None", 0, ""), ("3", 3, ""), ("'no model'", 1, "no model")]
)
def test_exit_after_the_engine_loaded_keeps_output_and_status(code, status, said):
    program = (
        "import ctranslate2, sys\nfrom practice import runtime\n"
        "sys.stdout.write('x' * 300_000)\n"  # more than a pipe holds: flushed at exit
        f"runtime.exit_now({code})\n"
        "print('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == status
    assert done.stdout == "x" * 300_000
    assert done.stderr.strip() == said


RESTARTED = """
import ctypes, os
from practice import runtime
runtime.restart_tuned()  # the code runs again from the top in the new process
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
block = libc.malloc(72 << 20)  # an encoder layer's attention scores
ctypes.memset(block, 1, 72 << 20)
huge = [line for line in open("/proc/self/smaps_rollup") if line.startswith("AnonHugePages")]
print(os.environ["GLIBC_TUNABLES"], int(huge[0].split()[1]) if huge else 0)
"""


def _thp_mode() -> str:
    try:
        text = open("/sys/kernel/mm/transparent_hugepage/enabled").read()
    except OSError:
        return "never"
    return text.split("[")[1].split("]")[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and Linux pages")
@pytest.mark.parametrize("arenas", [None, "2"])
def test_restart_sets_the_tunables_once_and_large_blocks_get_huge_pages(arenas):
    env = {"PATH": "/usr/bin:/bin"} | ({"MALLOC_ARENA_MAX": arenas} if arenas else {})
    done = subprocess.run(
        [sys.executable, "-c", RESTARTED], capture_output=True, text=True, env=env, check=True
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1  # printed by the restarted process only
    tunables, huge_kb = lines[0].split()
    assert "glibc.malloc.hugetlb=1" in tunables
    assert ("glibc.malloc.arena_max=4" in tunables) == (arenas is None)  # the user's wins
    if _thp_mode() in ("madvise", "always"):
        assert int(huge_kb) >= 2048


def test_ctrl_c_while_the_command_starts_is_one_line():
    # Interrupted while the CLI is imported (after the restart): no traceback.
    program = (
        "import builtins, sys\nreal = builtins.__import__\n"
        "def spy(name, *a, **k):\n"
        "    if name == 'practice.cli.main':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = spy\n"
        "from practice.runtime import main\nmain()\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 130
    assert done.stderr.strip() == "Interrupted."
