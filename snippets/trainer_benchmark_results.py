"""The figures of benchmarks/trainer.py, read from the JSON file its last run wrote.

Run from the repository root (or snippets/). To measure on your machine:
    python benchmarks/trainer.py      (it writes benchmarks/results/trainer.json)
"""

import json
from pathlib import Path

path = next((p for p in (Path("benchmarks/results/trainer.json"), Path("../benchmarks/results/trainer.json")) if p.is_file()), None)
if path is None:
    print("no results yet: run python benchmarks/trainer.py (it writes benchmarks/results/trainer.json)")
else:
    r = json.loads(path.read_text())
    print(f"torch {r['torch']} on {r['cpus']} CPU cores")
    if "overhead" in r:
        o = r["overhead"]
        print(f"\nTrainer overhead on the CPU (small_cnn, embedded sample, one epoch), measured {o['date']} "
              f"with {o['threads']} threads, load average {o['load_average_before']:.1f}:")
        print(f"  hand-written loop {o['hand_wall_s']:.2f} s wall ({o['hand_cpu_s']:.2f} s CPU), "
              f"Trainer.fit {o['trainer_wall_s']:.2f} s wall ({o['trainer_cpu_s']:.2f} s CPU)")
        print(f"  ratio {o['ratio_wall']:.3f} wall, {o['ratio_cpu']:.3f} CPU; identical weights: {o['same_weights']}")
    for run in r.get("time_to_accuracy", []):
        print(f"\n{run['recipe']} recipe on {run['device']}: {run['model']}(width={run['width']}), batch {run['batch_size']}, "
              f"fit_one_cycle({run['epochs']}, {run['max_lr']}), augment={run['augment']}; "
              f"measured {run.get('date', r['date'])} with {run.get('threads', r['threads'])} thread(s)")
        print(f"  {'epoch':>5} {'wall s':>7} {'CPU s':>7} {'test acc':>9}")
        for e in run["epochs_log"]:
            print(f"  {e['epoch']:>5} {e['wall_s']:>7.0f} {e['cpu_s']:>7.0f} {e['accuracy']:>9.4f}")
        for target in (0.92, 0.93):
            hit = next((e for e in run["epochs_log"] if e["accuracy"] >= target), None)
            print(f"  {target:.0%} test accuracy: " + (f"epoch {hit['epoch']}, {hit['wall_s']:.0f} s wall, {hit['cpu_s']:.0f} s CPU"
                                                      if hit else "not reached"))
    if "cli" in r:
        c = r["cli"]
        print(f"\nTime to accuracy on full Fashion-MNIST (60,000 train / 10,000 test), data loading included, "
              f"measured {c['date']} with {c['threads']} threads on {c['cpus']} cores, load average "
              f"{c['load_average_before']:.1f}; budget {c['budget_s']:.0f} s:")
        print(f"  {'run':<34} {'epochs':>6} {'final acc':>9} {'92% at':>13} {'93% at':>13}")
        for run in c["runs"]:
            name = c["command"] if run["name"] == "cli" else "plain PyTorch loop (same budget)"
            log = run["epochs_log"]

            def at(target, log=log):
                hit = next((e for e in log if e["accuracy"] >= target), None)
                return f"{hit['wall_s']:.0f} s (ep {hit['epoch']})" if hit else "not reached"

            print(f"  {name:<34} {log[-1]['epoch']:>6} {log[-1]['accuracy']:>9.4f} {at(0.92):>13} {at(0.93):>13}")
    if "cli" not in r:
        print("\nTime to accuracy of the command line's defaults: not measured yet "
              "(python benchmarks/trainer.py --parts cli plain, on a quiet machine)")
    if "ablation" in r:
        a = r["ablation"]
        print(f"\nWhat each ingredient buys: 50,000 training / 10,000 held-out validation images (no test images), "
              f"measured {a['date']} with {a['threads']} thread(s)")
        print(f"  {'variant':<44} {'epochs':>6} {'val acc':>8} {'+ flip at test':>14}")
        for row in a["rows"]:
            print(f"  {row['variant']:<44} {row['epochs']:>6} {row['accuracy']:>8.4f} {row['accuracy_flip_tta']:>14.4f}")
