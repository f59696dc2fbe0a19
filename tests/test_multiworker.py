"""The loopback process launcher (d2lutils.multiworker), with a stand-in worker (no framework).

Every test that starts processes records the pid of each (as the launcher's
``subprocess.Popen`` returns it) and checks afterwards that none of them is
still running and that the launcher has no child left — on success, after a
worker error, a helper error, a time-out and a KeyboardInterrupt.
"""
import json
import time
import types

import pytest
from process_support import assert_nothing_left, record_pids

from d2lutils import multiworker
from d2lutils.multiworker import dmlc_env, free_ports, run_cluster, run_workers, tf_config

FAKE = "tests.fake_worker"


@pytest.fixture
def pids(monkeypatch):
    """The pids of every process the launcher starts during the test (read after it)."""
    return record_pids(monkeypatch)


# ---------------------------------------------------------------------------- configuration

def test_tf_config_names_every_worker_and_this_task():
    config = json.loads(tf_config([1111, 2222], 1))
    assert config == {"cluster": {"worker": ["127.0.0.1:1111", "127.0.0.1:2222"]},
                      "task": {"type": "worker", "index": 1}}


def test_dmlc_env_is_loopback_only():
    env = dmlc_env("server", 9091, num_workers=2, num_servers=1)
    assert env == {"DMLC_ROLE": "server", "DMLC_PS_ROOT_URI": "127.0.0.1",
                   "DMLC_PS_ROOT_PORT": "9091", "DMLC_NUM_WORKER": "2", "DMLC_NUM_SERVER": "1",
                   "DMLC_NODE_HOST": "127.0.0.1", "DMLC_INTERFACE": "lo"}


def test_free_ports_are_distinct():
    ports = free_ports(4)
    assert len(set(ports)) == 4 and all(1024 <= p < 65536 for p in ports)


@pytest.mark.parametrize("call, error, match", [
    (lambda: free_ports(-3), ValueError, "count must be positive"),
    (lambda: free_ports(2.0), TypeError, "count must be an integer"),
    (lambda: tf_config([1111, 2222], 5), ValueError, r"index must be < the number of workers \(2\)"),
    (lambda: tf_config([1111, 2222], -1), ValueError, "index must be non-negative"),
    (lambda: tf_config([], 0), TypeError, "ports must be a non-empty list"),
    (lambda: tf_config([0, 2222], 0), ValueError, r"ports\[0\] must lie in \[1, 65535\]"),
    (lambda: dmlc_env("boss", 9091, 2), ValueError, "role must be 'scheduler', 'server' or 'worker'"),
    (lambda: dmlc_env("worker", 9091, 0), ValueError, "num_workers must be positive"),
])
def test_bad_configuration_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------- TensorFlow clusters

def test_each_tf_worker_gets_its_own_index_and_the_same_cluster(pids):
    results, seconds = run_workers(FAKE, num_workers=3, timeout=60)
    assert [r["config"]["task"]["index"] for r in results] == [0, 1, 2]
    clusters = {tuple(r["config"]["cluster"]["worker"]) for r in results}
    assert len(clusters) == 1 and all(a.startswith("127.0.0.1:") for a in clusters.pop())
    assert seconds > 0
    assert_nothing_left(pids, 3)


def test_a_failing_worker_is_reported_at_once_and_the_others_are_stopped(pids):
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="worker 1 exited with 3:\nworker 1 gives up on purpose"):
        run_workers(FAKE, num_workers=2, args=["--mode", "fail"], timeout=60)
    assert time.perf_counter() - start < 30     # not the time limit: worker 0 hangs meanwhile
    assert_nothing_left(pids, 2)


def test_a_hanging_run_times_out_and_leaves_no_process(pids):
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="did not finish within 2 s"):
        run_workers(FAKE, num_workers=2, args=["--mode", "hang"], timeout=2)
    assert time.perf_counter() - start < 20
    assert_nothing_left(pids, 2)


def test_a_worker_without_result_is_an_error(pids):
    with pytest.raises(RuntimeError, match="worker 0 exited with 0 but wrote no result"):
        run_workers(FAKE, num_workers=1, args=["--mode", "silent"], timeout=60)
    assert_nothing_left(pids, 1)


# ---------------------------------------------------------------------------- MXNet clusters

def test_mxnet_cluster_has_scheduler_servers_and_workers_on_one_loopback_port(pids):
    results, _ = run_workers(FAKE, num_workers=2, engine="mxnet", num_servers=2, timeout=60,
                             helper_grace=0.5, scheduler_module=FAKE)
    envs = [r["config"] for r in results]
    assert [e["DMLC_ROLE"] for e in envs] == ["worker", "worker"]
    assert {(e["DMLC_NUM_WORKER"], e["DMLC_NUM_SERVER"], e["DMLC_PS_ROOT_URI"],
             e["DMLC_NODE_HOST"]) for e in envs} == {("2", "2", "127.0.0.1", "127.0.0.1")}
    assert len({e["DMLC_PS_ROOT_PORT"] for e in envs}) == 1
    # the stand-in scheduler and servers never end by themselves: killed after the grace time
    assert_nothing_left(pids, 2 + 2 + 1)


def test_mxnet_worker_crash_stops_the_whole_cluster(pids):
    with pytest.raises(RuntimeError, match="worker 1 exited with 3"):
        run_workers(FAKE, num_workers=2, engine="mxnet", args=["--mode", "fail"], timeout=60,
                    scheduler_module=FAKE)
    assert_nothing_left(pids, 4)


def test_mxnet_server_crash_stops_the_whole_cluster(pids):
    with pytest.raises(RuntimeError, match="server 0 exited with 5:\nserver gives up on purpose"):
        run_workers(FAKE, num_workers=2, engine="mxnet", args=["--mode", "server-dies"],
                    timeout=60, scheduler_module=FAKE)
    assert_nothing_left(pids, 4)


def test_mxnet_time_out_stops_the_whole_cluster(pids):
    with pytest.raises(TimeoutError, match="did not finish within 2 s"):
        run_workers(FAKE, num_workers=2, engine="mxnet", args=["--mode", "hang"], timeout=2,
                    scheduler_module=FAKE)
    assert_nothing_left(pids, 4)


def test_keyboard_interrupt_stops_the_whole_cluster(pids, monkeypatch):
    calls = []

    def interrupted_sleep(seconds):
        calls.append(seconds)
        if len(calls) == 25:                   # about half a second into the wait
            raise KeyboardInterrupt
        time.sleep(seconds)

    monkeypatch.setattr(multiworker, "time", types.SimpleNamespace(
        perf_counter=time.perf_counter, sleep=interrupted_sleep))
    with pytest.raises(KeyboardInterrupt):
        run_workers(FAKE, num_workers=2, engine="mxnet", args=["--mode", "hang"], timeout=60,
                    scheduler_module=FAKE)
    assert_nothing_left(pids, 4)


# ---------------------------------------------------------------------------- arguments

@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_workers": 0}, ValueError, "num_workers must be positive"),
    ({"num_workers": True}, TypeError, "num_workers must be an integer"),
    ({"timeout": 0}, ValueError, r"timeout \(seconds\) must be positive"),
    ({"engine": "torch"}, ValueError, r"engine must be one of \('tensorflow', 'mxnet'\)"),
    ({"num_servers": 0}, ValueError, "num_servers must be positive"),
    ({"scheduler_module": FAKE}, ValueError, "scheduler_module must be a module name, and only with engine='mxnet'"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_workers(FAKE, **kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"engine": "jax"}, ValueError, "engine must be one of"),
    ({"workers": 0}, ValueError, "workers must be positive"),
    ({"steps": 2.5}, TypeError, "steps must be an integer"),
    ({"local_batch": 700}, ValueError, r"workers \* local_batch \* accumulate must be at most 1347"),
    ({"mode": "sync"}, ValueError, r"mode must be one of \('dist_sync', 'dist_async'\)"),
    ({"runs": {"lr": 0.5}}, TypeError, "runs must be a non-empty list of dicts"),
    ({"runs": [{"optimizer": "adam", "lr": 0.1}]}, ValueError,
     r"runs\[0\]\['optimizer'\] must be one of \('sgd', 'dcasgd'\)"),
    ({"runs": [{"lr": -1}]}, ValueError, r"runs\[0\]\['lr'\] must be positive"),
    ({"runs": [{"lr": 0.1, "lamda": 0.1}]}, ValueError, "lamda is a dcasgd parameter"),
    ({"runs": [{"lr": 0.1, "momentum": 0.9}]}, ValueError, r"unknown key\(s\) \['momentum'\]"),
    ({"mode": "dist_async", "compression": 0.5}, ValueError, "compression is used with 'dist_sync' runs only"),
    ({"engine": "tensorflow", "mode": "dist_async"}, ValueError, r"\['mode'\] apply to engine='mxnet' only"),
    ({"runs": [{"lr": 0.1, "record": 1}]}, TypeError, r"runs\[0\]\['record'\] must be True or False"),
    ({"runs": [{"lr": 0.1, "mode": "dist_sync"}, {"lr": 0.1, "mode": "dist_async"}]}, ValueError,
     "every 'dist_async' run must come before the 'dist_sync' ones"),
])
def test_bad_run_cluster_arguments(kwargs, error, match):
    kwargs = {"engine": "mxnet", **kwargs}
    with pytest.raises(error, match=match):
        run_cluster(**kwargs)
