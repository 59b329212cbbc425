#!/usr/bin/env python3
# Self instructions per request by function, two callgrind dumps of the same number of requests: the largest
# differences (b - a) first. JIT'd code (unnamed without --perf-basic-prof) is summed as one row.
#   python3 bench/callgrind/diff.py <requests counted> <dump a> <dump b> [<rows, default 40>]
import subprocess, sys, re, collections
n = int(sys.argv[1])
def load(f):
    out = subprocess.run(['callgrind_annotate', '--threshold=100', f], capture_output=True, text=True).stdout
    d = collections.Counter()
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)', line)
        if not m or 'PROGRAM TOTALS' in m.group(2): continue
        name = re.sub(r'\s*\[[^\]]*\]$', '', m.group(2))
        if name.startswith('???:0x'): name = 'JIT code (unnamed)'
        d[name] += int(m.group(1).replace(',', ''))
    return d
a, b = load(sys.argv[2]), load(sys.argv[3])
keys = set(a) | set(b)
rows = sorted(keys, key=lambda k: -abs(b[k] - a[k]))[: int(sys.argv[4]) if len(sys.argv) > 4 else 40]
for k in rows:
    print(f'{(b[k]-a[k])/n/1000:+8.2f}k  {a[k]/n/1000:7.2f}k -> {b[k]/n/1000:7.2f}k  {k[:150]}')
