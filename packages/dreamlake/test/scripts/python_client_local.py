"""The real Python dreamlake client (any version from 0.4.0 on: `Session` before 0.4.2,
`Episode` after) in local mode, writing or reading a session folder, so tests can check that
each SDK reads what the other writes. Prints one JSON document.

Usage:
  python python_client_local.py write <root> <prefix> <work folder>
  python python_client_local.py read <root> <prefix> <work folder>
"""
import json
import os
import sys
from importlib.metadata import version

try:
    from dreamlake import Episode as Run
except ImportError:  # 0.4.0 and 0.4.1
    from dreamlake import Session as Run

command, root, prefix, work = sys.argv[1:5]
out = {"client": version("dreamlake")}


def write():
    model = os.path.join(work, "model.bin")
    with open(model, "wb") as f:
        f.write(b"python weights\n\x00\xff")
    with Run(prefix, root=root, readme="written by python", tags=["py"]) as run:
        run.params.set(learning_rate=0.01, model={"layers": 2})
        run.log("hello from python", level="info", step=1)
        pose = run.track("robot/pose")
        for i in range(3):
            pose.append(x=i, _ts=500.0 + i)
        pose.flush()
        run.track("loss").append_batch([{"value": 0.5, "_ts": 600.0}, {"value": 0.25, "_ts": 601.0}])
        out["upload"] = run.files.upload(model, path="/models", tags=["v1"])


def read():
    with Run(prefix, root=root) as run:
        out["params"] = run.params.get()
        out["pose"] = run.track("robot/pose").read(start_index=0, limit=100)["data"]
        out["loss"] = run.track("loss").read(start_index=0, limit=100)["data"]
        out["newest"] = run.track("robot/pose").read_by_time(reverse=True, limit=1)["data"]
        out["tracks"] = sorted(track["name"] for track in run.tracks.list())
        files = run.files.list()
        out["files"] = files
        if files:
            copy = os.path.join(work, "copy.bin")
            run.file(file_id=files[0]["id"], dest_path=copy).download()
            with open(copy, "rb") as f:
                out["downloaded"] = f.read().hex()
    folder = os.path.join(root, *prefix.split("/")[-2:])
    logs = os.path.join(folder, "logs", "logs.jsonl")
    if os.path.exists(logs):  # Python has no log reader: the lines are the format
        with open(logs) as f:
            out["logs"] = [json.loads(line) for line in f if line.strip()]
    for name in ("session.json", "episode.json"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path) as f:
                out[name] = json.load(f)


{"write": write, "read": read}[command]()
print(json.dumps(out))
