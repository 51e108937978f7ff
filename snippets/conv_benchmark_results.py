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
    print(f"measured {r['date']} on {r['machine']}")
    print(f"load average {r['load_average_before']:.1f} before the run, {r['load_average_after']:.1f} after "
          f"({r['cpus']} CPUs); command: {r['command']}")
    for t in r["tables"]:
        print(f"\n{t['threads']} thread(s), batch {t['batch']}: time of conv2d / time of F.conv2d")
        print(f"  {'layer':<38} {'forward':>8} {'fwd+bwd':>8}")
        for row in t["layers"]:
            print(f"  {row['layer']:<38} {row['fwd_ratio']:>7.2f}x {row['fb_ratio']:>7.2f}x")
        print(f"  {'geometric mean':<38} {t['geo_fwd']:>7.2f}x {t['geo_fb']:>7.2f}x")
        print(f"  targets (every layer <= {r['target']}x, means <= {r['target_geo']}x): "
              f"{'met' if t['met'] else 'missed'} (worst layer {t['worst']:.2f}x)")
        for row in t["held_out"]:
            print(f"  {row['layer']:<38} {row['fwd_ratio']:>7.2f}x {row['fb_ratio']:>7.2f}x")

    # Where the time goes on the small layers: one column per layer and pass, one row per stage.
    for threads in sorted({p["threads"] for p in r["profile"]}):
        runs = [p for p in r["profile"] if p["threads"] == threads]
        stages = list(dict.fromkeys(part["stage"] for p in runs for part in p["parts"]))
        print(f"\nwhere conv2d's time goes on the small layers, {threads} thread(s), share of wall time "
              f"(f: forward, f+b: forward + backward):")
        heads = [f"{p['layer'].split()[2]} {'f' if p['pass'] == 'forward' else 'f+b'}" for p in runs]
        print(f"  {'':<34}" + "".join(f"{h:>11}" for h in heads))
        print(f"  {'time, ms':<34}" + "".join(f"{p['ms']:>11.2f}" for p in runs))
        for stage in stages:
            shares = [next((q["share"] for q in p["parts"] if q["stage"] == stage), 0.0) for p in runs]
            print(f"  {stage:<34}" + "".join(f"{s:>11.0%}" for s in shares))
        matmul = [next((q["share"] for q in p["parts"] if q["stage"] == "matrix products"), 0.0) for p in runs]
        other = {}
        for p in runs:
            for q in p["parts"]:
                if q["stage"] != "matrix products":
                    other[q["stage"]] = max(other.get(q["stage"], 0.0), q["share"])
        top = sorted(other, key=other.get, reverse=True)[:2]
        print(f"  so: the matrix products take {min(matmul):.0%} to {max(matmul):.0%} of the time; the largest "
              f"other shares are {top[0]} (up to {other[top[0]]:.0%}) and {top[1]} (up to {other[top[1]]:.0%})")
