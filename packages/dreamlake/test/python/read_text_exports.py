"""Reads CSV (Python's csv module, RFC 4180 dialect) or JSON Lines (Python's json) files,
the independent readers of the export tests, and prints what they read as one JSON document.

Usage: python read_text_exports.py csv|jsonl FILE
"""
import csv
import json
import sys


def plain(value):
    """Integers beyond 2**53 as {"int": text}, so that JavaScript reads them exactly."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2**53:
        return {"int": str(value)}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


kind, path = sys.argv[1], sys.argv[2]
if kind == "csv":
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, strict=True))
    # Which cells were quoted: Python's reader does not say, so the raw lines are returned too.
    with open(path, newline="", encoding="utf-8") as handle:
        raw = handle.read()
    json.dump({"rows": rows, "endsWithCrlf": raw.endswith("\r\n")}, sys.stdout)
else:
    with open(path, encoding="utf-8") as handle:
        json.dump([plain(json.loads(line)) for line in handle], sys.stdout)
