"""Summaries, targets and the printed tables (pure Python: no framework, no timing)."""
import statistics

#: Our time / d2l's time for the same loop must be at most this (the issue's targets).
TARGET_VS_D2L = {"mxnet": 1.0, "tensorflow": 0.4}
#: The full-data loss evaluations must take less than this share of a run.
EVAL_SHARE_LIMIT = 0.10
NOTEBOOK_LIMIT, TESTS_LIMIT, BUILD_LIMIT = 30.0, 300.0, 60.0
#: d2l 1.0.3 on the project machine (2 cores, min of 3), as quoted in the issue.
D2L_REFERENCE = {"mxnet/scratch/sgd": 0.159, "mxnet/scratch/adam": 0.419,
                 "tensorflow/scratch/sgd": 0.417, "tensorflow/scratch/adam": 0.989}


def summarize(sec_per_epoch, final_losses, eval_shares=None):
    """Min and median seconds per epoch over the repeats, plus the raw values.

    ``final_losses`` are the repeats' final losses (identical for a seeded
    loop); the last one is reported.  ``eval_shares`` (ours only) are each
    repeat's ``eval_seconds / (training seconds + eval_seconds)``; their median
    is reported.
    """
    out = {"min": min(sec_per_epoch), "median": statistics.median(sec_per_epoch),
           "loss": final_losses[-1], "runs": list(sec_per_epoch)}
    if eval_shares is not None:
        out["eval_share"] = statistics.median(eval_shares)
        out["eval_shares"] = list(eval_shares)
    return out


def verdict(ok):
    return "PASS" if ok else "FAIL"


def loop_rows(ours, floors, d2l):
    """One row per d2lutils loop: times, ratios, and PASS/FAIL for each target.

    ``ours`` and ``d2l`` map ``framework/kind/optimizer`` to :func:`summarize`
    output, ``floors`` maps the optimizer to the NumPy floor's.  A loop with no
    d2l measurement gets ``None`` for its d2l columns and no d2l verdict.
    """
    rows = []
    for key in sorted(ours):
        framework, kind, name = key.split("/")
        r, theirs = ours[key], d2l.get(key)
        floor = floors.get(name)
        ratio = r["min"] / theirs["min"] if theirs else None
        target = TARGET_VS_D2L[framework]
        rows.append({
            "loop": key, "min": r["min"], "median": r["median"], "loss": r["loss"],
            "x_floor": r["min"] / floor["min"] if floor else None,
            "d2l": theirs["min"] if theirs else None,
            "d2l_loss": theirs["loss"] if theirs else None,
            "x_d2l": ratio, "target": target,
            "vs_d2l": None if ratio is None else verdict(ratio <= target),
            "eval_share": r["eval_share"],
            "eval": verdict(r["eval_share"] < EVAL_SHARE_LIMIT),
        })
    return rows


def fmt(value, spec):
    return "—" if value is None else format(value, spec)


def loops_table(rows, floors):
    """The training-loop table (Markdown) with the NumPy floor above it."""
    lines = ["NumPy floor (same loop, hand-written gradient, NumPy update; s/epoch, min): "
             + ", ".join(f"{name} {f['min']:.4f}" for name, f in floors.items()), "",
             "| loop | s/epoch min | median | loss | × floor | d2l s/epoch | d2l loss "
             "| × d2l | target | vs d2l | eval share | eval < 10% |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in rows:
        lines.append(
            f"| {r['loop']} | {r['min']:.3f} | {r['median']:.3f} | {r['loss']:.3f} | "
            f"{fmt(r['x_floor'], '.0f')} | {fmt(r['d2l'], '.3f')} | {fmt(r['d2l_loss'], '.3f')} | "
            f"{fmt(r['x_d2l'], '.2f')} | ≤ {r['target']:.1f} | {r['vs_d2l'] or '—'} | "
            f"{100 * r['eval_share']:.1f}% | {r['eval']} |")
    return "\n".join(lines)


def timed_table(title, times, limit, failed=()):
    """A seconds-per-item table (notebooks) with a total and PASS/FAIL per item."""
    lines = [f"| {title} | seconds | ≤ {limit:g} s |", "| --- | ---: | --- |"]
    for name, seconds in times.items():
        status = "ERROR" if name in failed else verdict(seconds <= limit)
        lines.append(f"| {name} | {seconds:.1f} | {status} |")
    lines.append(f"| total | {sum(times.values()):.1f} | |")
    return "\n".join(lines)


def single_line(label, seconds, limit, returncode):
    """One timed command: seconds, target verdict, or the exit status if it failed."""
    status = verdict(seconds <= limit) if returncode == 0 else f"ERROR (exit {returncode})"
    return f"{label}: {seconds:.1f} s (target ≤ {limit:g} s: {status})"


def failures(rows):
    """Names of the loop targets that failed, for the closing summary line."""
    out = [f"{r['loop']} × d2l {r['x_d2l']:.2f} > {r['target']:.1f}"
           for r in rows if r["vs_d2l"] == "FAIL"]
    out += [f"{r['loop']} eval share {100 * r['eval_share']:.1f}%"
            for r in rows if r["eval"] == "FAIL"]
    return out
