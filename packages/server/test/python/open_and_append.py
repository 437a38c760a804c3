"""Opens a session (0.4.0) or episode (0.8 and later) of the real Python dreamlake client on
a server, reads a track, appends one point to it and reads it again. Prints
`{"id", "before": [points], "after": [points]}`; the test chains clients of different
versions on one prefix.

Usage: python open_and_append.py <prefix> <track> <value>
Environment: DREAMLAKE_URL, DREAMLAKE_API_KEY.
"""
import json
import os
import sys

try:
    from dreamlake import Episode as Run
except ImportError:  # 0.4.0 and 0.4.1
    from dreamlake import Session as Run

prefix, track, value = sys.argv[1], sys.argv[2], sys.argv[3]
with Run(prefix, url=os.environ["DREAMLAKE_URL"], root=None) as run:
    before = run.track(track).read(start_index=0, limit=100)["data"]
    run.track(track).append(who=value)
    run.track(track).flush()
    after = run.track(track).read(start_index=0, limit=100)["data"]
    print(json.dumps({"id": run.id, "before": before, "after": after}))
