"""Benchmark of the book's training loops and notebooks.  Run it with `bash bench/run`
(which prepares the environments); see bench/README.md for what is timed.

The parent process imports no framework: each group of training measurements runs
in a fresh subprocess (``--worker NAME``) that writes its results as JSON.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .workers import BATCH_SIZE, D2L_DIR, NUM_EPOCHS, WORKERS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = ROOT / ".venv" / "bin"
#: The test command of .ci/test after `python -m pytest` (the notebooks are appended; the
#: sanitizer and kernel options come from pyproject.toml); tests/test_bench.py checks that
#: .ci/test still runs exactly this.
PYTEST_ARGS = ["tests", "--nbval", "-n", "3", "--dist", "loadscope"]
#: Environment of .ci/test and .ci/execute: quiet TensorFlow, and no MPLBACKEND (notebook
#: kernels must use the inline backend; their figures are outputs).
CI_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def ci_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    return {**env, **CI_ENV, **extra}


# --------------------------------------------------------------------------- training loops

def run_worker(name, repeats):
    """Run one worker in a fresh interpreter; its results, or None if it failed."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, "-m", "bench.main", "--worker", name, "--repeats", str(repeats),
               "--out", str(out)]
        start = time.perf_counter()
        # MPLBACKEND=Agg: d2l's Animator draws (outside its timer) without a display.
        proc = subprocess.run(cmd, cwd=ROOT, env=ci_env(MPLBACKEND="Agg"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"  {name}: FAILED (exit {proc.returncode}) after {elapsed:.0f} s\n"
                  + proc.stderr[-3000:], flush=True)
            return None
        print(f"  {name}: {elapsed:.0f} s", flush=True)
        return json.loads(out.read_text())


# --------------------------------------------------------------------------- notebooks, build, tests

def toc_notebooks():
    """The notebooks of _toc.yml, as tests/toc.py (and so .ci/test) lists them."""
    out = subprocess.run([sys.executable, "tests/toc.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [ROOT / line for line in out.split()]


def time_notebooks(workdir):
    """Execute a copy of every toc notebook with .ci/execute; seconds each (its own timing).

    The copies live in ``workdir/book`` next to a link to d2lutils, like book/ itself,
    so the committed notebooks are never written.
    """
    book = workdir / "book"
    book.mkdir()
    (book / "d2lutils").symlink_to(ROOT / "d2lutils")
    times, failed = {}, []
    for path in toc_notebooks():
        copy = book / path.name
        shutil.copy(path, copy)
        start = time.perf_counter()
        proc = subprocess.run(["bash", str(ROOT / ".ci" / "execute"), str(copy)], cwd=ROOT,
                              env=ci_env(), capture_output=True, text=True)
        wall = time.perf_counter() - start
        reported = [line for line in proc.stdout.splitlines() if line.startswith("executed ")]
        if proc.returncode != 0 or not reported:
            failed.append(path.name)
            times[path.name] = wall
            print(f"  {path.name}: FAILED after {wall:.1f} s\n{proc.stderr[-2000:]}", flush=True)
            continue
        times[path.name] = float(reported[-1].split(" in ")[-1].rstrip(" s"))
        print(f"  {path.name}: {times[path.name]:.1f} s", flush=True)
    return times, failed


def time_command(cmd, env, log):
    """Wall seconds and exit status of ``cmd`` run from the repository root.

    Its output goes to ``log`` (in bench/results/); the end is printed if it fails.
    """
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = Path(log).read_text(errors="replace")[-3000:]
        print(f"  exit {proc.returncode}; output in {Path(log).relative_to(ROOT)}, ending:\n{tail}")
    return seconds, proc.returncode


def time_build(output):
    """`jupyter-book build . --all` from the committed outputs into ``output``."""
    return time_command([str(VENV_BIN / "jupyter-book"), "build", ".", "--all",
                         "--path-output", str(output)], ci_env(), RESULTS / "build.log")


def time_tests(site_dir):
    """The pytest command of .ci/test (unit tests, strict nbval, browser tests).

    The browser tests read the site built by :func:`time_build` (``SITE_DIR``).
    """
    notebooks = [str(p.relative_to(ROOT)) for p in toc_notebooks()]
    return time_command([sys.executable, "-m", "pytest", *PYTEST_ARGS, *notebooks],
                        ci_env(SITE_DIR=str(site_dir)), RESULTS / "tests.log")


# --------------------------------------------------------------------------- main

def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": model, "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="bash bench/run", description="Time the book's training loops, notebooks, "
                                     "build and tests (see bench/README.md).")
    parser.add_argument("--repeats", type=int, default=5,
                        help="runs of every loop, ours and d2l's (min and median; default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="2 repeats and loops only (no notebooks, no build)")
    parser.add_argument("--d2l-repeats", type=int,
                        help="runs of every d2l loop (default: the same as --repeats)")
    parser.add_argument("--no-d2l", action="store_true", help="skip the d2l comparison")
    parser.add_argument("--no-loops", action="store_true", help="skip the training loops")
    parser.add_argument("--no-notebooks", action="store_true",
                        help="skip executing the notebooks and the HTML build")
    parser.add_argument("--with-tests", action="store_true",
                        help="also time the strict test suite (the pytest part of .ci/test)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.no_notebooks = 2, True
    if args.d2l_repeats is None:
        args.d2l_repeats = args.repeats
    if args.repeats < 1 or args.d2l_repeats < 1:
        parser.error("--repeats and --d2l-repeats must be at least 1")
    return args


def measure_loops(args, errors):
    """Run the workers: ours and d2l's per framework, each in a fresh process."""
    print(f"Training loops (airfoil, batch {BATCH_SIZE}, {NUM_EPOCHS} epochs, "
          f"{args.repeats} runs each, d2l {args.d2l_repeats}; one process per framework):",
          flush=True)
    with_d2l = not args.no_d2l and (D2L_DIR / "d2l").is_dir()
    if args.no_d2l:
        print("  d2l comparison skipped (--no-d2l)")
    elif not with_d2l:
        print(f"  d2l comparison skipped: no {D2L_DIR.relative_to(ROOT)} (bash bench/run installs it)")
        errors.append("d2l missing")
    # Each framework's d2l worker runs right after ours, so both see similar machine load.
    order = ["numpy", "mxnet", "d2l-mxnet", "tensorflow", "d2l-tensorflow"]
    out = {"floors": {}, "ours": {}, "d2l": {}, "d2l_own_sgd": {}, "versions": {}}
    for name in order:
        if name.startswith("d2l") and not with_d2l:
            continue
        result = run_worker(name, args.d2l_repeats if name.startswith("d2l") else args.repeats)
        if result is None:
            errors.append(f"worker {name}")
            continue
        group = "floors" if name == "numpy" else "d2l" if name.startswith("d2l") else "ours"
        out[group].update(result["loops"])
        out["d2l_own_sgd"].update(result.get("own_sgd", {}))
        out["versions"].update(result["versions"])
    return out


def loops_report(loops, args):
    """The loop table and the lines under it."""
    rows = report.loop_rows(loops["ours"], loops["floors"], loops["d2l"])
    text = [f"Training loops: airfoil, batch {BATCH_SIZE}, {NUM_EPOCHS} epochs, "
            f"{args.repeats} runs of each of ours, {args.d2l_repeats} of each of d2l's "
            "(min and median of sec/epoch).", "",
            report.loops_table(rows, loops["floors"])]
    own = {k: v for k, v in loops["d2l_own_sgd"].items() if k in loops["ours"]}
    if own:
        text += ["", "d2l's `train_ch11` with d2l's own `d2l.sgd` (the only update function its "
                 "modules define), s/epoch min: " + "; ".join(
                     f"{key} {v['min']:.3f} (ours × {loops['ours'][key]['min'] / v['min']:.2f})"
                     for key, v in own.items())]
    if loops["d2l"]:
        text += ["", "d2l 1.0.3 reference quoted in the issue (min of 3, 2 cores): " + ", ".join(
            f"{k} {v:.3f}" for k, v in report.D2L_REFERENCE.items())]
    fails = report.failures(rows)
    text += ["", "Loop targets failed: " + ("; ".join(fails) if fails else "none")]
    return rows, text


def measure_rest(args, errors, text):
    """Notebooks, the HTML build and (with --with-tests) the test suite."""
    extra = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        if not args.no_notebooks:
            print("Notebooks (.ci/execute on a temporary copy, clean kernel each):", flush=True)
            nb_times, nb_failed = time_notebooks(tmp)
            extra["notebooks"] = {"seconds": nb_times, "failed": nb_failed}
            errors += [f"notebook {n}" for n in nb_failed]
            text += ["", report.timed_table("notebook", nb_times, report.NOTEBOOK_LIMIT,
                                            nb_failed)]
        # The build is also what the browser tests of the test suite read.
        print("HTML build (jupyter-book build . --all, temporary --path-output):", flush=True)
        seconds, code = time_build(tmp / "site")
        extra["build"] = {"seconds": seconds, "returncode": code}
        print(f"  {seconds:.1f} s", flush=True)
        text += ["", report.single_line("HTML build from committed outputs", seconds,
                                        report.BUILD_LIMIT, code)]
        if code:
            errors.append("build")
        if args.with_tests:
            print("Strict test suite (pytest part of .ci/test):", flush=True)
            seconds, code = time_tests(tmp / "site" / "_build" / "html")
            extra["tests"] = {"seconds": seconds, "returncode": code}
            print(f"  {seconds:.1f} s", flush=True)
            text += [report.single_line("Strict test suite (pytest + nbval + browser)",
                                        seconds, report.TESTS_LIMIT, code)]
            if code:
                errors.append("tests (see bench/results/tests.log)")
    return extra


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        Path(args.out).write_text(json.dumps(WORKERS[args.worker](args.repeats)))
        return 0
    info = machine()
    errors = []
    RESULTS.mkdir(exist_ok=True)
    loops = {"floors": {}, "ours": {}, "d2l": {}, "d2l_own_sgd": {}, "versions": {}}
    rows, body = [], []
    if not args.no_loops:
        loops = measure_loops(args, errors)
        rows, body = loops_report(loops, args)
    info["load_avg_after_loops"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    extra = {}
    if not args.no_notebooks or args.with_tests:
        extra = measure_rest(args, errors, body)
    header = ["# Benchmark results", "",
              f"{info['date']}; {info['nproc']} CPUs ({info['cpu']}); 1-min load average "
              f"{info['load_avg_at_start']:.2f} at the start and {info['load_avg_after_loops']:.2f} "
              f"after the loops; Python {info['python']}"
              + "".join(f", {k} {v}" for k, v in sorted(loops["versions"].items())), ""]
    text = "\n".join(header + body + (["", "Errors: " + ", ".join(errors)] if errors else []))
    print("\n" + text)
    (RESULTS / "latest.md").write_text(text + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(
        {"machine": info, "repeats": args.repeats, "d2l_repeats": args.d2l_repeats,
         **loops, "rows": rows, **extra}, indent=1))
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}/latest.md and latest.json")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
