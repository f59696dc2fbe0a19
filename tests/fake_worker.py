"""A stand-in worker for tests/test_multiworker.py: echoes its TF_CONFIG, or misbehaves on request."""
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--mode", default="ok", choices=["ok", "fail", "hang"])
args = parser.parse_args()
config = json.loads(os.environ["TF_CONFIG"])
if args.mode == "fail" and config["task"]["index"] == 1:
    print("worker 1 gives up on purpose", file=sys.stderr)
    sys.exit(3)
if args.mode == "hang":
    time.sleep(60)
with open(args.out, "w", encoding="utf-8") as f:
    json.dump({"pid": os.getpid(), "config": config}, f)
