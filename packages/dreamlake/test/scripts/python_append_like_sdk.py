"""Appends points to a track the way the Python SDK 0.4.0 does (storage.py:881-982):
flock on .track.lock, one columnar map + b"\n" appended to data.msgpack, fsync, then
metadata.json rewritten. argv: track folder, tagged JSON list of points, seconds to hold
the lock before writing (prints "locked" once it holds it). Prints the indexes it used."""
import datetime
import fcntl
import json
import os
import sys
import time

import msgpack

from python_tagged import from_tagged

track_dir = sys.argv[1]
points = from_tagged(json.loads(sys.argv[2]))
hold_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
os.makedirs(track_dir, exist_ok=True)
with open(os.path.join(track_dir, ".track.lock"), "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(hold_seconds)
    metadata_path = os.path.join(track_dir, "metadata.json")
    now = datetime.datetime.utcnow().isoformat() + "Z"
    if os.path.exists(metadata_path):
        with open(metadata_path) as f:
            metadata = json.load(f)
    else:
        name = os.path.basename(track_dir)
        metadata = {"trackId": "local-track-" + name, "name": name, "description": None,
                    "tags": [], "metadata": None, "totalDataPoints": 0, "nextIndex": 0,
                    "createdAt": now}
    start = metadata["nextIndex"]
    keys = set()
    for point in points:
        keys.update(point.keys())
    columnar = {key: [point.get(key) for point in points] for key in keys}
    with open(os.path.join(track_dir, "data.msgpack"), "ab") as f:
        f.write(msgpack.packb(columnar))
        f.write(b"\n")
        f.flush()
        os.fsync(f.fileno())
    metadata["nextIndex"] = start + len(points)
    metadata["totalDataPoints"] = metadata.get("totalDataPoints", 0) + len(points)
    metadata["updatedAt"] = now
    with open(metadata_path, "w") as f:
        json.dump(metadata, f, indent=2)
    fcntl.flock(lock, fcntl.LOCK_UN)
print(json.dumps({"startIndex": start, "endIndex": start + len(points) - 1}), flush=True)
