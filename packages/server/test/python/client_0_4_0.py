"""Sends the requests of the dreamlake Python client 0.4.0 (src/dreamlake/client.py) with
urllib, against a dreamlake server, and checks every response field that client reads.

Usage: DREAMLAKE_URL=... DREAMLAKE_API_KEY=... DREAMLAKE_DATA=<server data folder> python3 client_0_4_0.py
Prints "ok" when everything matched; raises otherwise.
"""
import hashlib
import json
import os
import urllib.error
import urllib.request

import msgpack

BASE = os.environ["DREAMLAKE_URL"].rstrip("/")
KEY = os.environ["DREAMLAKE_API_KEY"]
DATA = os.environ["DREAMLAKE_DATA"]


def call(method, path, body=None, params=None, raw=False, headers=None):
    url = BASE + path
    if params:
        # httpx puts query parameters in the order given; floats as repr() prints them.
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    data = None
    all_headers = {"Authorization": f"Bearer {KEY}"}
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
        return payload if raw else json.loads(payload)


def multipart(fields, filename, content, content_type):
    """The body httpx builds for client.upload_file: data fields first, then the file."""
    boundary = "a8f5f167f44f4964e6c998dee827110c"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    parts.append(content)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


# Session.open(): create_or_update_session
opened = call("POST", "/workspaces/robotics/sessions",
              {"name": "walk-7", "description": "readme", "tags": ["py"]})
sid = opened["session"]["id"]
again = call("POST", "/workspaces/robotics/sessions", {"name": "walk-7"})
expect(again["session"]["id"] == sid, "upsert keeps the id")

# Session.log(): one entry per call
created = call("POST", f"/sessions/{sid}/logs", {"logs": [
    {"timestamp": "2026-11-26T15:01:43.959357Z", "level": "info", "message": "Epoch 1",
     "metadata": {"loss": 0.5}}]})
expect(created["created"] == 1, "one log entry created")

# params.set() / params.get()
call("POST", f"/sessions/{sid}/parameters", {"data": {"learning_rate": 0.001, "model.layers": 4}})
call("POST", f"/sessions/{sid}/parameters", {"data": {"batch_size": 32}})
params = call("GET", f"/sessions/{sid}/parameters")["data"]
expect(params == {"learning_rate": 0.001, "model.layers": 4, "batch_size": 32}, f"params {params}")

# track flush: merged, _ts-sorted points to an unescaped hierarchical name
base = 1772281126.6423979
points = [{"_ts": base + i * 0.1, "x": float(i), "step": i} for i in range(10)]
result = call("POST", f"/sessions/{sid}/tracks/robot/pose/append-batch", {"dataPoints": points})
expect(int(result["startIndex"]) == 0 and int(result["endIndex"]) == 9 and result["count"] == 10,
       f"append-batch {result}")
result = call("POST", f"/sessions/{sid}/tracks/robot/pose/append-batch",
              {"dataPoints": [{"value": 1}, {"value": 2}]})
expect(int(result["startIndex"]) == 10, "second batch continues the indexes")

# track.read(start_index, limit)
page = call("GET", f"/sessions/{sid}/tracks/robot/pose", params={"s": 0, "limit": 5})
expect([int(row["index"]) for row in page["data"]] == [0, 1, 2, 3, 4], "read indexes")
expect(page["data"][0]["data"]["step"] == 0 and page["hasMore"] is True, "read data and hasMore")
expect(page["total"] == 5, "read total")

# track.read_by_time(start_time, end_time, limit, reverse)
window = call("GET", f"/sessions/{sid}/tracks/robot/pose/by-time",
              params={"limit": 1000, "reverse": "false", "st": repr(base + 0.2), "et": repr(base + 0.7)})
expect(window["total"] == 5, f"by-time total {window['total']}")
expect(window["startTime"] == base + 0.2 and window["endTime"] == base + 0.7, "by-time echoes the bounds")
newest = call("GET", f"/sessions/{sid}/tracks/robot/pose/by-time", params={"limit": 3, "reverse": "true"})
expect([row["data"].get("value", row["data"].get("x")) for row in newest["data"]] == [2, 1, 9.0],
       f"by-time reverse {newest['data']}")

# track.stats() and list_all()
stats = call("GET", f"/sessions/{sid}/tracks/robot/pose/stats")
expect(int(stats["totalDataPoints"]) == 12 and stats["name"] == "robot/pose", f"stats {stats}")
tracks = call("GET", f"/sessions/{sid}/tracks")["tracks"]
expect([t["name"] for t in tracks] == ["robot/pose"], "list")

# The track is stored in the Python SDK's format: read data.msgpack as storage.py does.
rows = []
with open(os.path.join(DATA, "alice", "robotics", "walk-7", "tracks", "robot", "pose", "data.msgpack"), "rb") as f:
    for obj in msgpack.Unpacker(f, raw=False):
        if not isinstance(obj, dict):
            continue
        values = list(obj.values())
        if values and all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1:
            n = len(values[0])
            rows.extend({k: obj[k][i] for k in obj} for i in range(n))
        else:
            rows.append(obj)
expect(len(rows) == 12 and rows[3]["step"] == 3 and rows[3]["_ts"] == points[3]["_ts"]
       and rows[11]["value"] == 2, "data.msgpack rows")

# files.upload(): multipart with prefix, checksum, sizeBytes, description, tags, metadata
content = b"weights \x00\x01\x02 and a newline\n" * 100
checksum = hashlib.sha256(content).hexdigest()
body, content_type = multipart({
    "prefix": "/models", "checksum": checksum, "sizeBytes": str(len(content)),
    "description": "best", "tags": "best,v1", "metadata": json.dumps({"epoch": 10}),
}, "model.pt", content, "application/octet-stream")
request = urllib.request.Request(BASE + f"/sessions/{sid}/files", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {KEY}", "Content-Type": content_type})
with urllib.request.urlopen(request, timeout=30) as response:
    uploaded = json.loads(response.read())
expect(uploaded["filename"] == "model.pt" and uploaded["checksum"] == checksum, f"upload {uploaded}")
expect(uploaded["tags"] == ["best", "v1"] and uploaded["sizeBytes"] == len(content), "upload fields")
fid = uploaded["id"]

listed = call("GET", f"/sessions/{sid}/files", params={"prefix": "/models", "tags": "best"})["files"]
expect([f["id"] for f in listed] == [fid], "files list")
meta = call("GET", f"/sessions/{sid}/files/{fid}")
downloaded = call("GET", f"/sessions/{sid}/files/{fid}/download", raw=True)
expect(hashlib.sha256(downloaded).hexdigest() == meta["checksum"], "download checksum")
updated = call("PATCH", f"/sessions/{sid}/files/{fid}", {"description": "renamed", "tags": []})
expect(updated["description"] == "renamed" and updated["tags"] == [], "update")
deleted = call("DELETE", f"/sessions/{sid}/files/{fid}")
expect(deleted["id"] == fid and deleted["deletedAt"], "delete")

# A bad token is refused with 401, as httpx's raise_for_status would surface it.
try:
    urllib.request.urlopen(urllib.request.Request(BASE + f"/sessions/{sid}/tracks",
                                                  headers={"Authorization": "Bearer nope"}))
    raise AssertionError("a bad token was accepted")
except urllib.error.HTTPError as error:
    expect(error.code == 401, f"bad token status {error.code}")

print("ok")
