"""Writes records to a track's data.msgpack as the Python SDK 0.4.0 lays them out
(storage.py:881-982): flock on .track.lock, each record one msgpack map + b"\n", then
metadata.json. A record is a row (one point, its map as given) or columns (the map of a flush
or append_batch: every key of its points, None where a point lacks one), so any `_ts` a
Python writer can leave (NaN, inf, -inf, True, False, None, none at all) can be written.
argv: track folder. stdin: tagged JSON list of {"kind": "row" | "columns", "points": [...]}."""
import datetime
import fcntl
import json
import os
import sys

import msgpack

from python_tagged import from_tagged

track_dir = sys.argv[1]
records = json.load(sys.stdin)
os.makedirs(track_dir, exist_ok=True)


def record_of(kind, points):
    if kind == "row":
        (point,) = points
        return point
    keys = []
    for point in points:
        keys.extend(key for key in point if key not in keys)
    return {key: [point.get(key) for point in points] for key in keys}


with open(os.path.join(track_dir, ".track.lock"), "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    count = 0
    with open(os.path.join(track_dir, "data.msgpack"), "ab") as f:
        for record in records:
            points = [from_tagged(point) for point in record["points"]]
            f.write(msgpack.packb(record_of(record["kind"], points)))
            f.write(b"\n")
            count += len(points)
        f.flush()
        os.fsync(f.fileno())
    metadata_path = os.path.join(track_dir, "metadata.json")
    now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    metadata = {"trackId": "local-track-" + os.path.basename(track_dir),
                "name": os.path.basename(track_dir), "description": None, "tags": [],
                "metadata": None, "totalDataPoints": 0, "nextIndex": 0, "createdAt": now}
    if os.path.exists(metadata_path):
        with open(metadata_path) as m:
            metadata = json.load(m)
    metadata["nextIndex"] = metadata.get("nextIndex", 0) + count
    metadata["totalDataPoints"] = metadata.get("totalDataPoints", 0) + count
    metadata["updatedAt"] = now
    with open(metadata_path, "w") as m:
        json.dump(metadata, m, indent=2)
    fcntl.flock(lock, fcntl.LOCK_UN)
