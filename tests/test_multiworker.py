"""The loopback process launcher (d2lutils.multiworker), with a stand-in worker (no TensorFlow)."""
import json
import os
import subprocess
import time

import pytest

from d2lutils.multiworker import free_ports, run_workers, tf_config

FAKE = "tests.fake_worker"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_tf_config_names_every_worker_and_this_task():
    config = json.loads(tf_config([1111, 2222], 1))
    assert config == {"cluster": {"worker": ["127.0.0.1:1111", "127.0.0.1:2222"]},
                      "task": {"type": "worker", "index": 1}}


def test_free_ports_are_distinct():
    ports = free_ports(4)
    assert len(set(ports)) == 4 and all(1024 <= p < 65536 for p in ports)


def test_each_worker_gets_its_own_index_and_the_same_cluster():
    results, seconds = run_workers(FAKE, num_workers=3, timeout=60)
    assert [r["config"]["task"]["index"] for r in results] == [0, 1, 2]
    clusters = {tuple(r["config"]["cluster"]["worker"]) for r in results}
    assert len(clusters) == 1 and all(a.startswith("127.0.0.1:") for a in clusters.pop())
    assert seconds > 0
    assert not any(alive(r["pid"]) for r in results)


def test_a_failing_worker_is_reported_with_its_output_and_the_others_are_stopped():
    with pytest.raises(RuntimeError, match="worker 1 exited with 3:\nworker 1 gives up on purpose"):
        run_workers(FAKE, num_workers=2, args=["--mode", "fail"], timeout=60)


def test_a_hanging_run_times_out_and_leaves_no_process(tmp_path):
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="did not finish within 2 s"):
        run_workers(FAKE, num_workers=2, args=["--mode", "hang"], timeout=2)
    assert time.perf_counter() - start < 20
    leftover = subprocess.run(["pgrep", "-f", "tests.fake_worker --out"],
                              capture_output=True, text=True).stdout.split()
    assert leftover == []


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_workers": 0}, ValueError, "num_workers must be positive"),
    ({"num_workers": True}, TypeError, "num_workers must be an integer"),
    ({"timeout": 0}, ValueError, r"timeout \(seconds\) must be positive"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_workers(FAKE, **kwargs)
