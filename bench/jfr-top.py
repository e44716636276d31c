#!/usr/bin/env python3
"""Execution samples of a JFR recording, summed: the top methods by self samples (the frame on top of
the stack) and the top packages by inclusive samples (anywhere on the stack, counted once per sample).
Usage: bench/jfr-top.py RECORDING.jfr [N=25]
Record with: jcmd PID JFR.start duration=20s settings=profile filename=RECORDING.jfr"""
import collections
import json
import subprocess
import sys


def main(path, n):
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    self_count = collections.Counter()
    inclusive = collections.Counter()
    for e in events:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        names = []
        for f in frames:
            m = f["method"]
            names.append(m["type"]["name"] + "." + m["name"])
        if not names:
            continue
        self_count[names[0]] += 1
        seen = set()
        for name in names:
            pkg = ".".join(name.split(".")[:4])
            if pkg not in seen:
                seen.add(pkg)
                inclusive[pkg] += 1
    total = sum(self_count.values())
    print(f"{total} execution samples")
    print("\nself (top of stack):")
    for name, c in self_count.most_common(n):
        print(f"{100 * c / total:6.1f}%  {name}")
    print("\ninclusive, by package (first four name parts):")
    for name, c in inclusive.most_common(n):
        print(f"{100 * c / total:6.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
