"""The figures of benchmarks/conv.py, read from the JSON file its last run wrote.

Run from the repository root (or snippets/). To measure on your machine:
    python benchmarks/conv.py      (it writes benchmarks/results/conv.json)
"""
# output: varies

import json
from pathlib import Path

path = next((p for p in (Path("benchmarks/results/conv.json"), Path("../benchmarks/results/conv.json")) if p.is_file()), None)
if path is None:
    print("no results yet: run python benchmarks/conv.py (it writes benchmarks/results/conv.json)")
else:
    r = json.loads(path.read_text())
    print(f"measured {r['date']} on {r['machine']}, load average {r['load_average_before']:.1f}")
    for t in r["tables"]:
        print(f"\n{t['threads']} thread(s), batch {t['batch']}: time of conv2d / time of F.conv2d")
        print(f"  {'layer':<38} {'forward':>8} {'fwd+bwd':>8}")
        for row in t["layers"]:
            print(f"  {row['layer']:<38} {row['fwd_ratio']:>7.2f}x {row['fb_ratio']:>7.2f}x")
        print(f"  {'geometric mean':<38} {t['geo_fwd']:>7.2f}x {t['geo_fb']:>7.2f}x")
        print(f"  targets (every layer <= {r['target']}x, means <= {r['target_geo']}x): {'met' if t['met'] else 'missed'}")
    for p in r["profile"]:
        print(f"\nwhere conv2d's forward + backward time goes: {p['layer']}, {p['threads']} thread(s)")
        for part in p["parts"]:
            print(f"  {part['op']:<24} {part['share']:6.1%}  ({part['calls']} calls)")
