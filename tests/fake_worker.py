"""A stand-in worker for tests/test_multiworker.py: echoes its environment, or misbehaves on request.

Every process of a cluster runs it, whatever its role: a worker (TF_CONFIG, or
DMLC_ROLE=worker) writes its pid and configuration to ``--out``; an MXNet
scheduler or server (DMLC_ROLE=scheduler/server) waits to be killed, as a real
one waits for workers that never come.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--mode", default="ok", choices=["ok", "fail", "hang", "server-dies", "silent"])
args = parser.parse_args()
role = os.environ.get("DMLC_ROLE", "worker")
if role != "worker":
    if args.mode == "server-dies" and role == "server":
        print("server gives up on purpose", file=sys.stderr)
        sys.exit(5)
    time.sleep(120)
    sys.exit(0)
if "TF_CONFIG" in os.environ:
    config = json.loads(os.environ["TF_CONFIG"])
    index = config["task"]["index"]
else:
    config = {k: v for k, v in os.environ.items() if k.startswith("DMLC_")}
    index = int(Path(args.out).stem)          # the launcher names outputs 0.json, 1.json, ...
if args.mode == "fail" and index == 1:
    print("worker 1 gives up on purpose", file=sys.stderr)
    sys.exit(3)
if args.mode in ("hang", "server-dies") or (args.mode == "fail" and index != 1):
    time.sleep(120)                           # as a real worker waits for a peer that died
if args.mode == "silent":
    sys.exit(0)
with open(args.out, "w", encoding="utf-8") as f:
    json.dump({"pid": os.getpid(), "config": config}, f)
