"""The local storage of the Python dreamlake SDK 0.4.0 for params, logs and files,
reproduced from /work/shared/reference/python-sdk-0.4.0-behaviour.md (sections 4-8) with
the standard library only, so that tests can check that Python reads what TypeScript
writes, writes what TypeScript reads, and that both exclude each other with flock.

Usage (JSON on stdout):
  python3 python_sdk_0_4_0.py read <session folder>
  python3 python_sdk_0_4_0.py write <session folder> <tag> <count>   (waits for "go" on stdin)
"""
import fcntl
import hashlib
import json
import os
import random
import shutil
import sys
import threading
import time
from datetime import datetime
from pathlib import Path


class FileLock:
    """storage.py FileLock: thread lock, then 50 flock attempts 10 ms apart."""

    def __init__(self, path):
        self.path = Path(path)
        self._thread_lock = threading.Lock()
        self._file = None

    def __enter__(self):
        self._thread_lock.acquire()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(50):
            f = open(self.path, "a")
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._file = f
                return self
            except OSError:
                f.close()
                time.sleep(0.01)
        self._thread_lock.release()
        raise TimeoutError(f"Could not acquire lock on {self.path} after 50 attempts")

    def __exit__(self, *exc):
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._thread_lock.release()
        return False


def now_iso():
    return datetime.utcnow().isoformat() + "Z"


# --- params (storage.py:355-437, params.py) ---------------------------------------

def write_parameters(session, data):
    path = session / "parameters.json"
    with FileLock(session / ".parameters.lock"):
        if path.exists():
            with open(path) as f:
                existing = json.load(f)
            existing["data"].update(data)
            doc = {
                "version": existing.get("version", 1) + 1,
                "data": existing["data"],
                "updatedAt": now_iso(),
            }
        else:
            doc = {"version": 1, "data": data, "createdAt": now_iso(), "updatedAt": now_iso()}
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)


def read_parameters(session):
    path = session / "parameters.json"
    try:
        with open(path) as f:
            return json.load(f)["data"]
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def unflatten_dict(flat):
    result = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


# --- logs (storage.py:275-326, session.py:555-598) -------------------------------

def write_log(session, message, level="info", metadata=None):
    entry = {"timestamp": now_iso(), "level": level, "message": message}
    if metadata:
        entry["metadata"] = metadata
    logs = session / "logs"
    with FileLock(logs / ".log_sequence.lock"):
        seq_file = logs / ".log_sequence"
        try:
            seq = int(seq_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            seq = 0
        line = {"sequenceNumber": seq, **entry}
        with open(logs / "logs.jsonl", "a") as f:
            f.write(json.dumps(line) + "\n")
        seq_file.write_text(str(seq + 1))


def read_log_lines(session):
    path = session / "logs" / "logs.jsonl"
    if not path.exists():
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# --- files (storage.py:439-791, files.py) -----------------------------------------

def snowflake():
    return str((int(time.time() * 1000) << 12) | random.randint(0, 4095))


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8192), b""):
            digest.update(chunk)
    return digest.hexdigest()


def upload_file(session, source, prefix="/", description=None, tags=None, metadata=None):
    file_id = snowflake()
    filename = os.path.basename(source)
    prefix_folder = prefix.lstrip("/")
    files = session / "files"
    target_dir = files / prefix_folder / file_id if prefix_folder else files / file_id
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target_dir / filename)
    now = now_iso()
    record = {
        "id": file_id,
        "sessionId": f"{session.parent.name}/{session.name}",
        "path": prefix,
        "filename": filename,
        "description": description,
        "tags": tags or [],
        "contentType": "application/octet-stream",
        "sizeBytes": os.path.getsize(source),
        "checksum": sha256_of(source),
        "metadata": metadata,
        "uploadedAt": now,
        "updatedAt": now,
        "deletedAt": None,
    }
    index_path = files / ".files_metadata.json"
    with FileLock(files / ".files_metadata.lock"):
        try:
            with open(index_path) as f:
                index = json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            index = {"files": []}
        for i, entry in enumerate(index["files"]):
            if (
                entry["path"] == prefix
                and entry["filename"] == filename
                and entry.get("deletedAt") is None
            ):
                old_folder = entry["path"].lstrip("/")
                old_dir = files / old_folder / entry["id"] if old_folder else files / entry["id"]
                shutil.rmtree(old_dir, ignore_errors=True)
                index["files"][i] = record
                break
        else:
            index["files"].append(record)
        with open(index_path, "w") as f:
            json.dump(index, f, indent=2)
    return record


def list_files(session, prefix=None, tags=None):
    index_path = session / "files" / ".files_metadata.json"
    try:
        with open(index_path) as f:
            entries = json.load(f)["files"]
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    result = [e for e in entries if e.get("deletedAt") is None]
    if prefix:
        result = [e for e in result if e["path"].startswith(prefix)]
    if tags:
        result = [e for e in result if any(t in e.get("tags", []) for t in tags)]
    return result


def download_file(session, file_id, dest_path):
    for entry in list_files(session):
        if entry["id"] == file_id:
            folder = entry["path"].lstrip("/")
            files = session / "files"
            stored = (files / folder / file_id if folder else files / file_id) / entry["filename"]
            if not stored.exists():
                raise FileNotFoundError(f"File {file_id} not found on disk")
            shutil.copy2(stored, dest_path)
            if sha256_of(dest_path) != entry["checksum"]:
                os.remove(dest_path)
                raise ValueError(f"Checksum verification failed for file {file_id}")
            return dest_path
    raise FileNotFoundError(f"File {file_id} not found")


# --- commands ------------------------------------------------------------------------

def read_command(session):
    flat = read_parameters(session)
    lines = read_log_lines(session)
    files = list_files(session)
    downloads = {}
    scratch = session.parent / ".python-downloads"
    scratch.mkdir(exist_ok=True)
    for entry in files:
        target = scratch / entry["id"]
        download_file(session, entry["id"], target)
        downloads[entry["id"]] = target.read_bytes().decode("utf-8", "replace")
    shutil.rmtree(scratch)
    print(
        json.dumps(
            {
                "params": flat,
                "nested": unflatten_dict(flat) if flat is not None else None,
                "logs": lines,
                "logKeys": [list(line.keys()) for line in lines],
                "sequence": (session / "logs" / ".log_sequence").read_text()
                if (session / "logs" / ".log_sequence").exists()
                else None,
                "files": files,
                "fileKeys": [list(entry.keys()) for entry in files],
                "downloads": downloads,
            }
        )
    )


def with_retry(operation, timeouts):
    """The SDK raises after 0.5 s of contention; a test writer tries again and counts it."""
    while True:
        try:
            return operation()
        except TimeoutError:
            timeouts[0] += 1


def write_command(session, tag, count):
    print("ready", flush=True)
    sys.stdin.readline()
    timeouts = [0]
    source = session.parent / f".{tag}-upload.txt"
    for i in range(count):
        with_retry(lambda: write_log(session, f"{tag} {i}", "info", {"tag": tag, "i": i}), timeouts)
        with_retry(lambda: write_parameters(session, {f"{tag}.k{i}": i}), timeouts)
        if i % 20 == 0:
            source.write_text(f"{tag}-{i}")
            named = source.with_name(f"{tag}-{i}.txt")
            source.rename(named)
            with_retry(lambda: upload_file(session, str(named), prefix="/both"), timeouts)
            named.unlink()
    print(json.dumps({"done": True, "timeouts": timeouts[0]}), flush=True)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "read":
        read_command(folder)
    elif command == "write":
        write_command(folder, sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {command}")
