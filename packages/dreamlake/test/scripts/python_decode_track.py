"""Reads a track's data.msgpack exactly as the Python SDK 0.4.0 does (storage.py:15-53,
1022-1044): one msgpack stream, objects that are not maps skipped, columnar maps expanded.
Prints {"rows": [...], "tsTypes": [...]} as tagged JSON."""
import json
import sys

import msgpack

from python_tagged import to_tagged


def is_columnar(record):
    if not record:
        return False
    lengths = set()
    for value in record.values():
        if not isinstance(value, list):
            return False
        lengths.add(len(value))
    return len(lengths) == 1 and next(iter(lengths)) > 0


def read_rows(path):
    rows = []
    with open(path, "rb") as f:
        for obj in msgpack.Unpacker(f, raw=False):
            if not isinstance(obj, dict):
                continue
            if is_columnar(obj):
                count = len(next(iter(obj.values())))
                rows.extend({key: obj[key][i] for key in obj} for i in range(count))
            else:
                rows.append(obj)
    return rows


rows = read_rows(sys.argv[1])
print(
    json.dumps(
        {
            "rows": [to_tagged(row) for row in rows],
            "tsTypes": sorted({type(row.get("_ts")).__name__ for row in rows}),
        }
    )
)
