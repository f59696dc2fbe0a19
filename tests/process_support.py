"""Checks that a launcher left no process behind (used by the multi-process tests).

``record_pids`` wraps ``subprocess.Popen`` as seen by :mod:`d2lutils.multiworker`,
so a test knows the pid of every process the launcher started;
``assert_nothing_left`` then checks that none of them still runs and that this
test process has no child left (a launcher must reap what it starts).
"""
import os
import subprocess
from pathlib import Path

from d2lutils import multiworker


def running(pid):
    """True if ``pid`` is a live (not zombie) process of ours (its command line names this venv's Python)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state != "Z" and b"python" in cmdline


def children_of_this_process():
    """Pids whose parent is this test process."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == os.getpid():
                found.append(int(entry.name))
    return found


def record_pids(monkeypatch):
    """Make the launcher's ``subprocess.Popen`` record pids; returns a function listing them."""
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        started.append(proc.pid)
        return proc

    monkeypatch.setattr(multiworker.subprocess, "Popen", recording_popen)
    return lambda: list(started)


def assert_nothing_left(pids, expected):
    """Exactly ``expected`` processes were started, none runs any more, no child is left."""
    started = pids()
    assert len(started) == expected, f"expected {expected} processes to start, saw {started}"
    assert [p for p in started if running(p)] == []
    assert children_of_this_process() == []
