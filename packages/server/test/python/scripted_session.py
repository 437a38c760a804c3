"""A scripted session of the real Python dreamlake client, any version from 0.4.0 on
(`Session` before 0.4.2, `Episode` after), in remote mode against a dreamlake server:
params, logs, tracks (append, append_batch, read, read_by_time, stats, list) and files
(upload, list, download, update, delete). Prints one JSON document of what the client
answered; the test compares it with what the server stored.

Usage: python scripted_session.py <prefix> <work folder>
Environment: DREAMLAKE_URL, DREAMLAKE_API_KEY (the client reads the key itself).
"""
import json
import os
import sys
from importlib.metadata import version

try:
    from dreamlake import Episode as Run
except ImportError:  # 0.4.0 and 0.4.1
    from dreamlake import Session as Run

prefix, work = sys.argv[1], sys.argv[2]
url = os.environ["DREAMLAKE_URL"]
out = {"client": version("dreamlake")}

model = os.path.join(work, "model.bin")
with open(model, "wb") as f:
    f.write(bytes(range(256)) * 40 + b"\n\x00end")

with Run(prefix, url=url, root=None, readme="scripted", tags=["python"], metadata={"gpu": 1}) as run:
    out["id"] = run.id

    run.params.set(learning_rate=0.001, model={"layers": 4, "act": "relu"})
    run.params.set(batch_size=32)
    out["params"] = run.params.get()

    run.log("starting", level="info", epoch=0)
    run.log("careful", level="warn")
    run.log().error("failed once", code=7)

    pose = run.track("robot/pose")
    for i in range(5):
        pose.append(x=i * 0.5, step=i, _ts=1000.0 + i)
    out["flush"] = pose.flush()
    out["batch"] = run.track("loss").append_batch(
        [{"value": 0.5, "step": 1, "_ts": 2000.0}, {"value": 0.25, "step": 2, "_ts": 2001.0}]
    )
    out["read"] = pose.read(start_index=1, limit=3)
    try:
        out["byTime"] = pose.read_by_time(start_time=1001.0, end_time=1003.0, limit=10)
    except NotImplementedError as error:  # 0.8 and later in remote-only mode
        out["byTime"] = {"notImplemented": str(error)}
    out["stats"] = run.track("loss").stats()
    out["tracks"] = sorted(track["name"] for track in run.tracks.list())

    uploaded = run.files.upload(model, path="/models", description="weights", tags=["v1"])
    out["upload"] = uploaded
    out["files"] = run.files.list(path="/models")
    copy = os.path.join(work, "copy.bin")
    run.file(file_id=uploaded["id"], dest_path=copy).download()
    with open(model, "rb") as a, open(copy, "rb") as b:
        out["downloadMatches"] = a.read() == b.read()
    out["updated"] = run.file(file_id=uploaded["id"], description="best", tags=["v1", "final"]).update()
    out["deleted"] = run.file(file_id=uploaded["id"]).delete()
    out["filesAfterDelete"] = run.files.list()

print(json.dumps(out))
