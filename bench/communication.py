"""Communication measured on loopback: seconds per step of compute and of communication, both engines.

    .venv/bin/python -m bench.communication               # about 6 min on 2 busy cores
    .venv/bin/python -m bench.communication --repeats 1   # about 2 min

Every configuration is a fresh cluster of real processes on 127.0.0.1 started
by :func:`d2lutils.multiworker.run_workers`, training the digits MLP
(64-32-10, 2410 parameters, 9640 bytes of float32 gradient) with synchronous
SGD, ``--local-batch`` examples per worker and push:

* **TensorFlow**, all-reduce: ``MultiWorkerMirroredStrategy``
  (``bench/tf_comm_worker.py``); compute = the gradient, communication = the
  collective all-reduce and the update.
* **MXNet**, parameter server: a scheduler, one server and the workers
  (``d2lutils/mxnet/multiworker.py``, ``dist_sync``); compute = the gradient,
  communication = push + pull until the new weights are back (it includes
  the server's update and the wait for the slowest worker).

Configurations: 1, 2 and 4 workers; 2 workers with ``--accumulate`` 4
micro-batches per push (fewer, larger messages: the same communication for 4×
the examples); MXNet with 2-bit gradient compression (its pushes are 1/16 the
size).  Each configuration is launched ``--repeats`` times; a launch reports
the median over its steps (the first ``--warmup`` left out) and workers; the
table gives the median over launches and the range.

Then, with 2 workers, the time of one exchange of a float32 array of the MLP's
size up to ResNet-50's 25.6 M parameters (``bench/message_probe.py``: MXNet
push + pull through the server, TensorFlow all-reduce), and a last launch
measures what 2-bit compression does to the training loss over ``--seeds``
seeds.

Writes ``bench/results/communication.md`` and ``.json`` (raw numbers).
"""
import argparse
import datetime
import json
import os
import platform
import resource
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from d2lutils.training import data_parallel as dp
from d2lutils.data import load_digits
from d2lutils.multiworker import run_cluster, run_workers

RESULTS = Path(__file__).resolve().parent / "results"
GRAD_BYTES = 4 * dp.num_params()


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def launch(engine, workers, args, data_path, data):
    """One cluster: (compute seconds/step, comm seconds/step, wall seconds, CPU seconds)."""
    cpu = _cpu_seconds()
    skip = args.warmup
    if engine == "tensorflow":
        raw, wall = run_workers("bench.tf_comm_worker", workers, timeout=600, args=[
            "--data", data_path, "--local-batch", args.local_batch, "--steps", args.steps,
            "--accumulate", args.accumulate_now])
        compute = np.concatenate([r["compute_seconds"][skip:] for r in raw])
        comm = np.concatenate([r["comm_seconds"][skip:] for r in raw])
    else:
        cluster = run_cluster("mxnet", workers, runs=[{"lr": 0.5, "seed": 0}], steps=args.steps,
                              local_batch=args.local_batch, accumulate=args.accumulate_now,
                              compression=args.compression_now, data=data, timeout=600)
        wall = cluster.seconds
        compute, comm = cluster.step_seconds(skip=skip, reduce=None)
    return float(np.median(compute)), float(np.median(comm)), wall, _cpu_seconds() - cpu


def configurations():
    """(label, engine, workers, accumulate, compression threshold)."""
    out = []
    for engine in ("tensorflow", "mxnet"):
        for workers in (1, 2, 4):
            out.append((f"{engine}, {workers} worker(s)", engine, workers, 1, 0.0))
        out.append((f"{engine}, 2 workers, accumulate 4", engine, 2, 4, 0.0))
    out.append(("mxnet, 2 workers, 2-bit (threshold 0.5)", "mxnet", 2, 1, 0.5))
    return out


PROBE_SIZES = (2410, 100_000, 1_000_000, 10_000_000, 25_600_000)


def message_probe(repeats):
    """Median seconds of one exchange per array size and engine (2 workers)."""
    out = {}
    for engine in ("mxnet", "tensorflow"):
        raw, _ = run_workers("bench.message_probe", 2, engine=engine, timeout=900, args=[
            "--engine", engine, "--sizes", ",".join(map(str, PROBE_SIZES)), "--repeats", repeats])
        out[engine] = {size: float(np.median(np.concatenate([r["seconds"][str(size)] for r in raw])))
                       for size in PROBE_SIZES}
    return out


def probe_table(probe):
    lines = ["| floats (MB) | MXNet push + pull ms | TensorFlow all-reduce ms | "
             "on a 10 Gb/s link, PS / ring ms |", "| ---: | ---: | ---: | ---: |"]
    for size in PROBE_SIZES:
        megabytes = 4 * size / 1e6
        k, bits = 2, 4 * size * 8
        ps = k * bits / 10e9 * 1e3                     # the server's link: k pushes in (k pulls out)
        ring = 2 * (k - 1) / k * bits / 10e9 * 1e3     # each worker's link, each way
        lines.append(f"| {size:,} ({megabytes:.2f}) | {probe['mxnet'][size] * 1e3:.2f} | "
                     f"{probe['tensorflow'][size] * 1e3:.2f} | {ps:.2f} / {ring:.2f} |")
    return "\n".join(lines)


def compression_effect(args, data):
    """Final training loss over seeds: MXNet dist_sync, 2 workers, with and without 2-bit compression."""
    out = {}
    runs = [{"lr": 0.5, "seed": s} for s in range(args.seeds)]
    for threshold in (0.0, 0.05, 0.5, 5.0):
        cluster = run_cluster("mxnet", 2, runs=runs, steps=args.loss_steps, compression=threshold,
                              data=data, timeout=600)
        out[threshold] = [r.train_loss for r in cluster.records[0]]
    return out


def machine():
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
                 platform.processor())
    return {"date": datetime.date.today().isoformat(), "cpu": model, "cores": os.cpu_count(),
            "python": platform.python_version(), "mxnet": metadata.version("mxnet"),
            "tensorflow": metadata.version("tensorflow-cpu")}


def table(rows):
    lines = ["| configuration | compute ms/step | communication ms/step | comm. share | "
             "bytes pushed per worker and step | comm. ms per 1000 examples | launch s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        c, m = np.array(row["compute"]) * 1e3, np.array(row["comm"]) * 1e3
        pushed = GRAD_BYTES / 16 if row["compression"] else GRAD_BYTES
        examples = row["workers"] * row["accumulate"] * row["local_batch"]
        lines.append(
            f"| {row['label']} | {np.median(c):.2f} ({c.min():.2f}–{c.max():.2f}) "
            f"| {np.median(m):.2f} ({m.min():.2f}–{m.max():.2f}) "
            f"| {np.median(m) / (np.median(c) + np.median(m)):.0%} | {pushed:.0f} "
            f"| {1000 * np.median(m) / examples:.1f} | {np.median(row['wall']):.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--local-batch", type=int, default=16)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--loss-steps", type=int, default=60)
    parser.add_argument("--probe-repeats", type=int, default=5)
    args = parser.parse_args(argv)
    data = load_digits()
    info = {**machine(), "load_start": os.getloadavg()}
    rows = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-comm-") as tmp:
        data_path = str(Path(tmp) / "digits.npz")
        np.savez(data_path, X_train=data.X_train, y_train=data.y_train)
        configs = configurations()
        rows = [{"label": c[0], "engine": c[1], "workers": c[2], "accumulate": c[3],
                 "compression": c[4], "local_batch": args.local_batch,
                 "compute": [], "comm": [], "wall": [], "cpu": []} for c in configs]
        for repeat in range(args.repeats):          # interleaved: load changes hit every config
            for row in rows:
                args.accumulate_now, args.compression_now = row["accumulate"], row["compression"]
                compute, comm, wall, cpu = launch(row["engine"], row["workers"], args, data_path,
                                                  data)
                for key, value in (("compute", compute), ("comm", comm), ("wall", wall),
                                   ("cpu", cpu)):
                    row[key].append(value)
                print(f"[{repeat + 1}/{args.repeats}] {row['label']}: compute {compute * 1e3:.2f} ms, "
                      f"comm {comm * 1e3:.2f} ms, launch {wall:.1f} s, CPU {cpu:.1f} s", flush=True)
    probe = message_probe(args.probe_repeats)
    effect = compression_effect(args, data)
    info["load_end"] = os.getloadavg()
    info["seconds"] = time.perf_counter() - start
    report = [f"# Communication on loopback ({info['date']})", "",
              f"{info['cpu']}, {info['cores']} cores; Python {info['python']}, MXNet {info['mxnet']}, "
              f"TensorFlow {info['tensorflow']}; "
              f"1/5/15-min load average {', '.join(f'{x:.1f}' for x in info['load_start'])} at the "
              f"start, {', '.join(f'{x:.1f}' for x in info['load_end'])} at the end; "
              f"{args.repeats} launches per configuration, {args.steps} steps each "
              f"(first {args.warmup} left out), {args.local_batch} examples per worker and "
              f"micro-batch; median over launches (min–max).", "", table(rows), "",
              f"One exchange of an array, 2 workers, median of {args.probe_repeats} "
              "(after 3 untimed); the last column is the wire time alone on a full-duplex "
              "10 Gb/s link (parameter server: the server's link carries 2 pushes in and 2 pulls "
              "out; ring all-reduce: 2(k−1)/k of the array each way per worker):", "",
              probe_table(probe), "",
              f"2-bit compression and the loss (MXNet dist_sync, 2 workers, lr 0.5, "
              f"{args.loss_steps} steps, final training loss over {args.seeds} seeds, "
              "median (min–max)):", ""]
    base = np.array(effect[0.0])
    for threshold, losses in effect.items():
        losses = np.array(losses)
        paired = "" if threshold == 0 else (f"; lower than without compression in "
                                             f"{int(np.sum(losses < base))}/{len(base)} seeds")
        report.append(f"* threshold {threshold:g}: {np.median(losses):.3f} "
                      f"({losses.min():.3f}–{losses.max():.3f}){paired}")
    text = "\n".join(report) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "communication.md").write_text(text)
    (RESULTS / "communication.json").write_text(json.dumps(
        {"machine": info, "args": vars(args), "rows": rows,
         "probe": {e: {str(k): v for k, v in d.items()} for e, d in probe.items()},
         "compression_loss": {str(k): v for k, v in effect.items()}}, indent=1))


if __name__ == "__main__":
    main()
