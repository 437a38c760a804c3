"""Reads one tagged JSON value per line on stdin and prints msgpack.packb of each, in hex."""
import json
import sys

import msgpack

from python_tagged import from_tagged

for line in sys.stdin:
    if line.strip():
        print(msgpack.packb(from_tagged(json.loads(line))).hex())
