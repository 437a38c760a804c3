"""The real Python dreamlake client (0.4.0 on) writes tracks whose `_ts` dreamlake would refuse:
NaN, inf, -inf and True among ordinary points, in three tracks:
  flushed   each point flushed alone (one record each);
  buffered  all points in one flush (the client sorts and merges them);
  batch     one append_batch (stored as given, False included).

Usage: python python_client_timestamps.py <root> <prefix> <work folder>
"""
import sys

try:
    from dreamlake import Episode as Run
except ImportError:  # 0.4.0 and 0.4.1
    from dreamlake import Session as Run

root, prefix = sys.argv[1:3]
nan, inf = float("nan"), float("inf")
points = [(0, 10.0), (1, nan), (2, 11.0), (3, inf), (4, -inf), (5, True), (6, 12.0)]

with Run(prefix, root=root) as run:
    flushed = run.track("flushed")
    for v, ts in points:
        flushed.append(v=v, _ts=ts)
        flushed.flush()
    buffered = run.track("buffered")
    for v, ts in points:
        buffered.append(v=v, _ts=ts)
    buffered.flush()
    run.track("batch").append_batch([{"v": v, "_ts": ts} for v, ts in points + [(7, False)]])
