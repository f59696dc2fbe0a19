"""The benchmark's own logic (bench/): nothing here is timed."""
import numpy as np
import pytest

from bench import report
from bench.chapters import OPTIMIZERS, load_rules
from bench.floor import train_floor
from bench.main import PYTEST_ARGS, ROOT
from d2lutils import load_airfoil
from d2lutils.linreg import train_sgd_numpy


@pytest.mark.parametrize("framework, namespace", [("mxnet", "nd"), ("tensorflow", "tf")])
def test_every_chapter_defines_its_update_functions(framework, namespace):
    """The benchmark times the chapters' own update functions: each is found exactly once."""
    rules = load_rules(framework, {namespace: None})   # defining them touches no framework
    assert sorted(rules) == sorted(OPTIMIZERS)
    assert all(callable(init) and callable(update) for init, update in rules.values())
    assert rules["sgd"][0](5) is None


def test_floor_sgd_is_the_numpy_trainer():
    """The floor's SGD visits the same batches with the same arithmetic as train_sgd_numpy."""
    features, labels = load_airfoil()
    floor = train_floor("sgd", {"lr": 0.05}, features, labels)
    reference = train_sgd_numpy(features, labels, batch_size=10, lr=0.05)
    np.testing.assert_array_equal(floor.losses, reference.losses)
    assert floor.epochs == reference.epochs


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_floor_trains_like_the_chapters(name):
    """With the chapters' hyperparameters every floor run ends at the chapters' loss (about 0.25)."""
    from bench.chapters import HYPERPARAMS
    features, labels = load_airfoil()
    result = train_floor(name, HYPERPARAMS[name], features, labels)
    assert 0.24 < result.final_loss < 0.255
    assert len(result.losses) == 31


def _summary(seconds, eval_share=0.05):
    return report.summarize([seconds, 2 * seconds], [0.25, 0.25], [eval_share, eval_share])


def test_targets_are_flagged():
    """MXNet must not be slower than d2l, TensorFlow at most 0.4x d2l, evaluation under 10%."""
    ours = {"mxnet/scratch/sgd": _summary(0.10), "mxnet/concise/sgd": _summary(0.11),
            "tensorflow/scratch/sgd": _summary(0.05, eval_share=0.12),
            "tensorflow/concise/sgd": _summary(0.05)}
    d2l = {"mxnet/scratch/sgd": _summary(0.10), "mxnet/concise/sgd": _summary(0.10),
           "tensorflow/scratch/sgd": _summary(0.20)}
    floors = {"sgd": _summary(0.002)}
    rows = {r["loop"]: r for r in report.loop_rows(ours, floors, d2l)}
    assert rows["mxnet/scratch/sgd"]["vs_d2l"] == "PASS"            # exactly 1.0x
    assert rows["mxnet/concise/sgd"]["vs_d2l"] == "FAIL"            # 1.1x
    assert rows["tensorflow/scratch/sgd"]["vs_d2l"] == "PASS"       # 0.25x
    assert rows["tensorflow/scratch/sgd"]["eval"] == "FAIL"         # 12%
    assert rows["tensorflow/concise/sgd"]["vs_d2l"] is None         # no d2l run: no verdict
    assert rows["mxnet/scratch/sgd"]["x_floor"] == pytest.approx(50)
    table = report.loops_table(list(rows.values()), floors).splitlines()
    line = next(row for row in table if row.startswith("| mxnet/concise/sgd "))
    assert "| 1.10 | ≤ 1.0 | FAIL |" in line
    assert len(report.failures(list(rows.values()))) == 2


def test_notebook_and_command_lines():
    times = {"a.ipynb": 12.0, "b.ipynb": 31.0, "c.ipynb": 5.0}
    table = report.timed_table("notebook", times, 30, failed=["c.ipynb"])
    assert "| a.ipynb | 12.0 | PASS |" in table and "| b.ipynb | 31.0 | FAIL |" in table
    assert "| c.ipynb | 5.0 | ERROR |" in table and "| total | 48.0 | |" in table
    assert report.single_line("build", 5.0, 60, 0).endswith("PASS)")
    assert report.single_line("tests", 5.0, 300, 1).endswith("ERROR (exit 1))")


def test_timed_test_command_is_the_one_in_ci_test():
    """bench/main.py times the pytest command of .ci/test; they must not drift apart."""
    ci_test = " ".join((ROOT / ".ci" / "test").read_text().replace("\\\n", " ").split())
    assert "-m pytest " + " ".join(PYTEST_ARGS) + ' "${notebooks[@]}"' in ci_test
