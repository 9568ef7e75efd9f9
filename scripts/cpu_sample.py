#!/usr/bin/env python3
"""CPU used by process trees over a window of wall time, from /proc (Linux, stdlib only).

    scripts/cpu_sample.py --pid PID [--pid PID ...] [--exclude-comm NAME ...]
                          [--delay S] --window S [--interval S] [--json]

Waits --delay seconds, then measures for --window seconds the utime+stime (/proc/PID/stat) of
each root PID and all its descendants (found through the ppid links of /proc/*/stat), and prints
CPU-seconds per second of wall time (1.0 = one core busy). Processes whose comm is given with
--exclude-comm are not counted, but their descendants are (--exclude-comm node counts a
browser started by a node driver, not the driver). A process alive at the window's start counts
from its ticks then; one born inside the window counts from zero. The trees are polled every
--interval seconds so that a process that exits inside the window keeps what it used up to the
last poll (at most one interval is lost); a root that is missing at the window's start or gone
at its end is reported on stderr (exit 1 if missing at the start). With --json: one JSON line with the total, per root
and per comm; otherwise one line of text.
"""

import argparse
import json
import os
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def read_stats():
    """{pid: (ppid, comm, utime+stime ticks, starttime)} for every process now."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue  # exited meanwhile
        # comm may hold spaces and parentheses: it ends at the last ')'.
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
        out[int(name)] = (int(fields[1]), comm, int(fields[11]) + int(fields[12]), int(fields[19]))
    return out


def trees(stats, roots):
    """{pid: root} for each root that exists and all its descendants."""
    children = {}
    for pid, (ppid, *_rest) in stats.items():
        children.setdefault(ppid, []).append(pid)
    owner = {}
    for root in roots:
        stack = [root] if root in stats else []
        while stack:
            pid = stack.pop()
            if pid in owner:
                continue
            owner[pid] = root
            stack.extend(children.get(pid, ()))
    return owner


class Window:
    """The ticks each process of the trees used since the window began."""

    def __init__(self, roots, exclude):
        self.roots, self.exclude = roots, set(exclude)
        self.base = {}  # (pid, starttime) -> ticks at the window's start
        self.last = {}  # (pid, starttime) -> (ticks at the latest poll, root, comm)

    def poll(self, first=False):
        stats = read_stats()
        owner = trees(stats, self.roots)
        # Processes seen before stay counted even if reparented out of the tree (parent gone).
        for (pid, start), (_, root, _) in list(self.last.items()):
            if pid in stats and stats[pid][3] == start:
                owner.setdefault(pid, root)
        for pid, root in owner.items():
            _, comm, ticks, start = stats[pid]
            if comm in self.exclude:
                continue
            key = (pid, start)
            if first:
                self.base[key] = ticks
            self.last[key] = (ticks, root, comm)

    def used(self):
        """(total ticks, {root: ticks}, {comm: ticks})."""
        total, by_root, by_comm = 0, {}, {}
        for key, (ticks, root, comm) in self.last.items():
            t = ticks - self.base.get(key, 0)
            total += t
            by_root[root] = by_root.get(root, 0) + t
            by_comm[comm] = by_comm.get(comm, 0) + t
        return total, by_root, by_comm


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pid", type=int, action="append", required=True, help="a root process (repeatable)")
    p.add_argument("--exclude-comm", action="append", default=[], help="do not count processes of this comm")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before the window")
    p.add_argument("--window", type=float, required=True, help="seconds to measure")
    p.add_argument("--interval", type=float, default=0.25, help="seconds between polls")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    time.sleep(args.delay)
    w = Window(args.pid, args.exclude_comm)
    started = time.monotonic()
    w.poll(first=True)
    alive_at_start = sorted({root for _, root, _ in w.last.values()})
    end = started + args.window
    while (now := time.monotonic()) < end:
        time.sleep(min(args.interval, end - now))
        w.poll()
    wall = time.monotonic() - started
    alive_at_end = sorted(set(args.pid) & set(read_stats()))
    total, by_root, by_comm = w.used()
    per_s = lambda ticks: round(ticks / TICKS / wall, 3)  # noqa: E731
    report = {
        "cpu_s_per_s": per_s(total),
        "cpu_s": round(total / TICKS, 2),
        "wall_s": round(wall, 2),
        "processes": len(w.last),
        "roots_alive_at_start": alive_at_start,
        "roots_alive_at_end": alive_at_end,
        "by_root": {str(r): per_s(t) for r, t in sorted(by_root.items())},
        "by_comm": {c: per_s(t) for c, t in sorted(by_comm.items(), key=lambda kv: -kv[1])},
    }
    missing = sorted(set(args.pid) - set(alive_at_start))
    if missing:
        print(f"cpu_sample: no such process at the window's start: {missing}", file=sys.stderr)
    gone = sorted(set(alive_at_start) - set(alive_at_end))
    if gone:
        print(f"cpu_sample: exited inside the window (counted to the last poll): {gone}", file=sys.stderr)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['cpu_s_per_s']} CPU-s/s ({report['cpu_s']} CPU-s over {report['wall_s']} s, "
              f"{report['processes']} processes; by comm {report['by_comm']})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
