"""The benchmark's own logic (bench/): nothing here is timed."""
import numpy as np
import pytest

from bench import report
from bench.chapters import OPTIMIZERS, load_rules
from bench.floor import train_floor
from bench.main import PYTEST_ARGS, ROOT
from d2lutils import load_airfoil
from d2lutils.comparison import reference_trace
from d2lutils.models.linreg import train_sgd_numpy


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


# ----------------------------------------------------------------------------
# one source of truth: the benchmark times the chapters' code, and that code is right

def test_benchmark_has_no_copy_of_the_rules():
    """The workers take every from-scratch rule from bench.chapters.load_rules (read from the notebooks)."""
    import ast
    assert not (ROOT / "bench" / "updates.py").exists()
    tree = ast.parse((ROOT / "bench" / "workers.py").read_text())
    calls = {node.args[0].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_rules"}
    assert {"mxnet", "tensorflow"} <= calls
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert not defined & {"sgd", "sgd_momentum", "adagrad", "rmsprop", "adadelta", "adam"}


def _run_chapter(framework, init, update, hp, start, grads):
    trace = []
    if framework == "mxnet":
        from mxnet import nd
        params = [nd.array(p) for p in start]
        for p in params:
            p.attach_grad()
        states = init(5)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad[:] = nd.array(g)
            update(params, states, hp)
            trace.append([p.asnumpy() for p in params])
    else:
        import tensorflow as tf
        params = [tf.Variable(p) for p in start]
        states = init(5)
        for step_grads in grads:
            update(params, [tf.constant(g) for g in step_grads], states, hp)
            trace.append([p.numpy() for p in params])
    return trace


# a large ε separates sqrt(s + ε) from sqrt(s) + ε and Adam's two placements of ε
VARIANTS = {"chapter": {}, "large-eps": {"eps": 0.5}}


@pytest.fixture(scope="module")
def chapter_rules():
    import d2lutils  # noqa: F401  (first: lets TensorFlow and MXNet share one process)
    import tensorflow as tf
    from mxnet import nd
    return {"mxnet": load_rules("mxnet", {"nd": nd}), "tensorflow": load_rules("tensorflow", {"tf": tf})}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("framework", ["mxnet", "tensorflow"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_chapter_rules_match_the_reference(name, framework, variant, chapter_rules):
    """Each chapter's from-scratch update (what the benchmark times) equals the NumPy reference rule.

    30 steps of random gradients from a random start; the displacements must agree to 1e-5.
    A broken bias correction, a rebinding momentum or ε outside the root fails here.
    """
    from bench.chapters import HYPERPARAMS
    from d2lutils.comparison import random_problem, relative_gap
    hp = dict(HYPERPARAMS[name])
    hp.update({k: v for k, v in VARIANTS[variant].items() if k in hp})
    start, grads = random_problem(5, 30, seed=4, dtype=np.float32)
    init, update = chapter_rules[framework][name]
    ours = _run_chapter(framework, init, update, hp, start, grads)
    reference = reference_trace(name, hp, start, grads)
    moved = lambda trace: [[p - s for p, s in zip(step, start)] for step in trace]  # noqa: E731
    gap = relative_gap(moved(ours), moved(reference))
    assert gap < 1e-5, f"{framework} {name} ({variant}, {hp}): the chapter's rule is {gap:.1e} " \
                       "away from the reference"


def test_d2l_workdir_is_removed_when_the_worker_exits(tmp_path):
    """The temporary data directory made for d2l does not outlive the worker process."""
    import hashlib
    import subprocess
    import sys
    sha1 = hashlib.sha1((ROOT / "d2lutils" / "data" / "datasets" / "airfoil_self_noise.dat")
                        .read_bytes()).hexdigest()
    code = ("import types\nfrom bench.workers import _d2l_workdir\n"
            f"d2l = types.SimpleNamespace(DATA_HUB={{'airfoil': ('x/airfoil_self_noise.dat', '{sha1}')}})\n"
            "base = _d2l_workdir(d2l)\nassert (base / 'data' / 'airfoil_self_noise.dat').is_file()\n"
            "print(base)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    from pathlib import Path
    base = Path(proc.stdout.strip())
    assert base.name.startswith("bench-d2l-")
    assert not base.exists(), f"the worker left its temporary directory {base} behind"


def test_lighthouse_refuses_a_machine_without_a_chinese_font(monkeypatch):
    """bench/lighthouse.py stops with a message naming the font package when fontconfig lists no
    Chinese font (its figures would measure font fallback), and goes on when it lists one."""
    from bench import lighthouse

    class Listed:
        def __init__(self, out):
            self.stdout = out

    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(lighthouse.subprocess, "run", lambda *a, **k: Listed(""))
    with pytest.raises(SystemExit, match="fonts-noto-cjk"):
        lighthouse.require_chinese_font()
    monkeypatch.setattr(lighthouse.subprocess, "run", lambda *a, **k: Listed("Noto Sans CJK SC\n"))
    lighthouse.require_chinese_font()
    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="fonts-noto-cjk"):
        lighthouse.require_chinese_font()


def test_calibrated_multiplier_follows_lighthouses_calculator():
    """The CPU multiplier for a host's benchmark index: Lighthouse's calculator's anchors (150 -> 1x,
    800 -> 2x, 1300 -> 3x, ~1533 -> 4x, the preset's value), no jump at a breakpoint, larger for a
    faster host, and a refusal below 150 (or NaN) that says what was expected."""
    from bench.lighthouse import calibrated_multiplier

    for bi, expected in ((150, 1.0), (800, 2.0), (1300, 3.0), (1533, 4.0), (1766, 5.0), (1050, 2.5)):
        assert calibrated_multiplier(bi) == pytest.approx(expected, abs=0.01), bi
    for edge in (800, 1300):
        assert calibrated_multiplier(edge - 1e-6) == pytest.approx(calibrated_multiplier(edge), abs=1e-5)
    grid = [calibrated_multiplier(bi) for bi in range(150, 2500, 10)]
    assert all(b > a for a, b in zip(grid, grid[1:]))
    for bad in (149, 0, float("nan")):
        with pytest.raises(ValueError, match="at least 150"):
            calibrated_multiplier(bad)


def test_calibrated_reaudit_gives_the_saved_load_the_same_multiplier_it_asks_for(tmp_path, monkeypatch):
    """The calibrated re-audit writes the multiplier for the saved load's benchmark index into the
    saved settings and asks Lighthouse's audit mode for that same multiplier (Lighthouse refuses an
    audit whose settings differ from the gathering's), and returns it with the new report."""
    import json
    from pathlib import Path
    from bench import lighthouse

    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    (artifacts / "artifacts.json").write_text(json.dumps(
        {"BenchmarkIndex": 1050, "settings": {"throttling": {"cpuSlowdownMultiplier": 4}}}))
    asked = []

    def fake_lighthouse(cmd, url):
        asked.append(cmd)
        out = next(a for a in cmd if a.startswith("--output-path=")).split("=", 1)[1]
        Path(out).write_text(json.dumps({"report": "calibrated"}))
        return True

    monkeypatch.setattr(lighthouse, "_lighthouse", fake_lighthouse)
    multiplier, report = lighthouse.reaudit_calibrated("lighthouse", "http://x/p.html", artifacts,
                                                       tmp_path / "p-cal.json")
    assert multiplier == 2.5 and report == {"report": "calibrated"}
    saved = json.loads((artifacts / "artifacts.json").read_text())
    assert saved["settings"]["throttling"]["cpuSlowdownMultiplier"] == 2.5
    (cmd,) = asked
    assert f"-A={artifacts}" in cmd and "--throttling.cpuSlowdownMultiplier=2.5" in cmd


def test_font_cost_pages_differ_only_in_their_fonts(tmp_path):
    """bench/font_cost.py's pages all link the built bundle and hold five paragraphs each (the
    same amount of text), so the difference between two of them is the fonts they open; without a
    built bundle it stops and names the build command."""
    from bench import font_cost

    with pytest.raises(SystemExit, match="bash .ci/build"):
        font_cost.bundle_of(tmp_path)
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    css = tmp_path / "_static" / "styles" / "bundle-0123456789ab.css"
    css.write_text("body{font-family:sans-serif}", encoding="utf-8")
    out = tmp_path / "pages"
    out.mkdir()
    pages = font_cost.write_pages(out, font_cost.bundle_of(tmp_path))
    assert len(pages) == len(font_cost.VARIANTS) >= 3
    assert (out / "book.css").read_text(encoding="utf-8") == css.read_text(encoding="utf-8")
    for page in pages:
        html = (out / page).read_text(encoding="utf-8")
        assert '<link rel="stylesheet" href="book.css">' in html, page
        assert html.count("<p>") == 5, page


def test_script_tasks_counts_the_tasks_that_run_the_named_scripts():
    """bench/script_tasks.py sums the main-thread tasks in which a named script was evaluated
    (query strings aside), each task once, and nothing else: not a task of another script, not
    another thread's, not a script whose name only ends the same way."""
    from bench.script_tasks import script_task_ms

    def task(ts, dur, tid=1):
        return {"ph": "X", "name": "RunTask", "pid": 7, "tid": tid, "ts": ts, "dur": dur}

    def evaluate(ts, url, tid=1):
        return {"ph": "X", "name": "EvaluateScript", "pid": 7, "tid": tid, "ts": ts, "dur": 10,
                "args": {"data": {"url": url}}}

    events = [
        task(0, 20_000), evaluate(1_000, "http://h/_static/copybutton.js?v=1"),
        evaluate(2_000, "http://h/_static/clipboard.min.js?v=2"),          # same task: once
        task(30_000, 5_000), evaluate(31_000, "http://h/_static/site.js"),  # another script
        evaluate(32_000, "http://h/_static/copybutton.js", tid=2),        # another thread's
        task(50_000, 3_000), evaluate(51_000, "http://h/_static/mycopybutton.js"),
        task(60_000, 4_000), evaluate(61_000, "http://h/_static/copycode.js"),
    ]
    assert script_task_ms(events, ["copybutton.js", "clipboard.min.js"]) == 20
    assert script_task_ms(events, ["copycode.js"]) == 4
    assert script_task_ms(events, ["answers.js"]) == 0
    with pytest.raises(ValueError, match="at least one script"):
        script_task_ms(events, [])


def test_gzip_server_compresses_text_for_clients_that_accept_it(tmp_path):
    """bench/lighthouse.py --gzip serves the site through site_support.serve(gzip=True): a text file
    goes out gzip-encoded to a client that accepts gzip and decodes to the file's bytes; the same file
    goes out as it is to a client that does not; an image is never re-encoded; a folder gives its
    index.html; a missing file is a 404."""
    import gzip
    import urllib.error
    import urllib.request
    from site_support import serve

    page = "<!doctype html><title>t</title>" + "<p>梯度下降 gradient descent</p>" * 200
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text(page, encoding="utf-8")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    (tmp_path / "f.png").write_bytes(png)

    def get(url, encoding=None):
        headers = {"Accept-Encoding": encoding} if encoding else {}
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.headers.get("Content-Encoding"), r.read()

    with serve(tmp_path, ready="index.html", gzip=True) as base:
        enc, body = get(base + "index.html", "gzip, deflate")
        assert enc == "gzip" and gzip.decompress(body) == page.encode() and len(body) < len(page.encode()) / 4
        assert get(base + "index.html") == (None, page.encode())
        assert get(base + "f.png", "gzip") == (None, png)
        enc, body = get(base + "sub/", "gzip")
        assert enc == "gzip" and gzip.decompress(body) == page.encode()
        with pytest.raises(urllib.error.HTTPError, match="404"):
            get(base + "missing.html", "gzip")
