"""Reads Parquet files with pyarrow (the independent reader of the export tests) and prints,
as one JSON document, each file's schema, metadata, row groups and rows.

Usage: python read_parquet.py [--last=N] FILE...   (--last: only the last N rows)
"""
import base64
import datetime
import json
import math
import sys

import pyarrow.parquet as pq


def plain(value):
    """A value of to_pylist() as JSON: timestamps as ISO text, bytes as base64, NaN as "NaN"."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return {"int": str(value)}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


last = None
paths = []
for arg in sys.argv[1:]:
    if arg.startswith("--last="):
        last = int(arg[len("--last="):])
    else:
        paths.append(arg)

out = {}
for path in paths:
    parquet = pq.ParquetFile(path)
    table = parquet.read()
    meta = parquet.metadata
    out[path] = {
        "schema": {field.name: str(field.type) for field in table.schema},
        "physical": {
            parquet.schema.column(i).path: {
                "physical": parquet.schema.column(i).physical_type,
                "logical": str(parquet.schema.column(i).logical_type),
            }
            for i in range(len(parquet.schema))
        },
        "metadata": {
            key.decode(): value.decode()
            for key, value in (meta.metadata or {}).items()
            if not key.startswith(b"ARROW")
        },
        "rowGroups": [meta.row_group(i).num_rows for i in range(meta.num_row_groups)],
        "rows": [
            plain(row)
            for row in (table if last is None else table.slice(max(0, table.num_rows - last))).to_pylist()
        ],
    }
json.dump(out, sys.stdout)
