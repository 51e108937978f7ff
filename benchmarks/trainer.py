"""Benchmark of dlnotes.Trainer: its overhead, and how fast it reaches a given accuracy.

1. Overhead. ``Trainer.fit`` against the minimal hand-written loop (forward, loss, backward,
   step, then an evaluation pass), with the same model, data, optimizer, learning rate and
   seed, on the embedded Fashion-MNIST sample. Target: epoch-time ratio at most 1.05, and the
   same accuracy (the two runs are in fact bit-identical on the CPU).
2. Time to accuracy. The full Fashion-MNIST (Debian's files, or the torchvision cache),
   data loading included, with the recipe below: test accuracy after every epoch and the time
   at which it first reached 92% and 93%. Targets on a 2-core CPU: 92% within 3 minutes, 93%
   within 6 minutes.

    python benchmarks/trainer.py            # both parts, both recipes (about 10 minutes on 2 cores)
    python benchmarks/trainer.py --quick    # overhead over 2 epochs, and one short full-data run

Wall-clock time is the target; CPU time (summed over threads) is printed beside it because it
hardly changes when other programs share the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

from dlnotes import Trainer, fashion_mnist, fast_loaders, small_cnn, small_resnet
from dlnotes._io import atomic_write

# Recipes for the time-to-accuracy runs: the model, the batch size, the one-cycle run.
RECIPES = {
    "3-minute": dict(model="small_resnet", width=16, epochs=6, batch_size=256, max_lr=8e-3, augment=False),
    "6-minute": dict(model="small_resnet", width=16, epochs=14, batch_size=256, max_lr=8e-3, augment=False),
    "quick": dict(model="small_cnn", width=32, epochs=2, batch_size=256, max_lr=1e-2, augment=False),
}


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


# ----------------------------------------------------------------------------- overhead

def hand_loop(model, train, valid, lr, epochs):
    """The minimal loop, written out: what Trainer.fit must not be much slower than."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
    model = model.to(memory_format=torch.channels_last)
    loss_fn = nn.CrossEntropyLoss()
    times, accs = [], []
    for epoch in range(epochs):
        w0, c0 = clocks()
        train.set_epoch(epoch)
        model.train()
        for x, y in train:
            loss = loss_fn(model(x.contiguous(memory_format=torch.channels_last)), y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in valid:
                correct += (model(x.contiguous(memory_format=torch.channels_last)).argmax(1) == y).sum().item()
        w1, c1 = clocks()
        times.append((w1 - w0, c1 - c0))
        accs.append(correct / len(valid.images))
    return times, accs


def trainer_loop(model, train, valid, lr, epochs):
    times = []

    class Clock:
        def on_epoch_begin(self, t):
            self.start = clocks()

        def on_epoch_end(self, t):
            w1, c1 = clocks()
            times.append((w1 - self.start[0], c1 - self.start[1]))

    clock = Clock()
    trainer = Trainer(model, train, valid, device="cpu", progress=False, verbose=False, callbacks=[clock])
    trainer.fit(epochs, lr)
    return times, [r["accuracy"] for r in trainer.history], trainer


def overhead(epochs: int, repeats: int) -> dict:
    tr, te = fashion_mnist(sample=True)
    rows = {"hand-written loop": [], "Trainer.fit": []}
    accs = {}
    for _ in range(repeats):  # alternate, so that a busy moment hurts both
        for name in rows:
            train, valid = fast_loaders(tr, te, batch_size=128, device="cpu", seed=0)
            torch.manual_seed(0)
            model = small_cnn()
            if name == "Trainer.fit":
                times, acc, trainer = trainer_loop(model, train, valid, 3e-3, epochs)
            else:
                times, acc = hand_loop(model, train, valid, 3e-3, epochs)
            rows[name] += times[1:] if len(times) > 1 else times
            accs[name] = acc[-1]
            weights = [p.detach().clone() for p in model.parameters()]
            accs[name + " weights"] = weights
    same = all(torch.equal(a, b) for a, b in zip(accs["hand-written loop weights"], accs["Trainer.fit weights"]))
    hand_w = statistics.median(t[0] for t in rows["hand-written loop"])
    hand_c = statistics.median(t[1] for t in rows["hand-written loop"])
    tr_w = statistics.median(t[0] for t in rows["Trainer.fit"])
    tr_c = statistics.median(t[1] for t in rows["Trainer.fit"])
    print("\nOverhead: small_cnn on the embedded sample (10,000 train / 2,000 test), batch 128, AdamW 3e-3, CPU")
    print(f"{'loop':<20} {'epoch wall s':>12} {'epoch CPU s':>12} {'accuracy':>9}")
    print(f"{'hand-written loop':<20} {hand_w:>12.2f} {hand_c:>12.2f} {accs['hand-written loop']:>9.4f}")
    print(f"{'Trainer.fit':<20} {tr_w:>12.2f} {tr_c:>12.2f} {accs['Trainer.fit']:>9.4f}")
    print(f"ratio Trainer / hand: wall {tr_w / hand_w:.3f}, CPU {tr_c / hand_c:.3f} (target <= 1.05); "
          f"identical final weights: {same}")
    return {"hand_wall_s": hand_w, "hand_cpu_s": hand_c, "trainer_wall_s": tr_w, "trainer_cpu_s": tr_c,
            "ratio_wall": tr_w / hand_w, "ratio_cpu": tr_c / hand_c, "same_weights": same,
            "accuracy": accs["Trainer.fit"]}


# ----------------------------------------------------------------------------- time to accuracy

def time_to_accuracy(name: str, recipe: dict) -> dict:
    w0, c0 = clocks()
    tr, te = fashion_mnist()  # Debian's files or the cache: no download needed
    train, valid = fast_loaders(tr, te, batch_size=recipe["batch_size"], device="auto", augment=recipe["augment"],
                                seed=0)
    load_s = time.perf_counter() - w0
    torch.manual_seed(0)
    make = small_resnet if recipe["model"] == "small_resnet" else small_cnn
    model = make(width=recipe["width"])
    log = []

    class Clock:
        def on_epoch_end(self, t):
            w, c = clocks()
            log.append((t.history[-1]["epoch"] + 1, w - w0, c - c0, t.history[-1]["accuracy"]))
            print(f"  epoch {log[-1][0]:>2}: {log[-1][1]:6.1f} s wall, {log[-1][2]:6.1f} s CPU, "
                  f"test accuracy {log[-1][3]:.4f}", flush=True)

    trainer = Trainer(model, train, valid, progress=False, verbose=False, callbacks=[Clock()])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"\n{name} recipe: {recipe['model']}(width={recipe['width']}) ({n_params:,} parameters), "
          f"batch {recipe['batch_size']}, fit_one_cycle({recipe['epochs']}, {recipe['max_lr']}), "
          f"augment={recipe['augment']}, {trainer.device.type}; data loaded in {load_s:.1f} s", flush=True)
    trainer.fit_one_cycle(recipe["epochs"], recipe["max_lr"])

    def first(threshold):
        return next(((w, c, e) for e, w, c, a in log if a >= threshold), None)

    return {"name": name, "log": log, "92": first(0.92), "93": first(0.93), "final": log[-1],
            "device": trainer.device.type}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run: overhead over 2 epochs, one 2-epoch full-data run")
    parser.add_argument("--recipes", nargs="*", default=None, help=f"which recipes to run ({', '.join(RECIPES)})")
    parser.add_argument("--skip-overhead", action="store_true", help="only the time-to-accuracy runs")
    parser.add_argument("--save", metavar="PATH", default=str(Path(__file__).parent / "results" / "trainer.json"),
                        help="where to write the figures as JSON (default: benchmarks/results/trainer.json, "
                             "which the GPU-training page shows; parts not measured in this run are kept)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--custom", metavar="KEY=VALUE", nargs="+",
                        help="run one custom recipe, e.g. model=small_cnn width=32 epochs=6 batch_size=256 max_lr=0.01 augment=1")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.custom:
        recipe = dict(RECIPES["3-minute"])
        for item in args.custom:
            key, value = item.split("=", 1)
            recipe[key] = value if key == "model" else (bool(int(value)) if key == "augment" else type(recipe[key])(value))
        RECIPES["custom"] = recipe
        args.recipes = ["custom"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    record = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "torch": torch.__version__,
              "threads": torch.get_num_threads(), "cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0],
              "quick": args.quick}
    if not args.skip_overhead:
        record["overhead"] = {"date": record["date"], "threads": record["threads"],
                              "load_average_before": os.getloadavg()[0],
                              **overhead(epochs=2 if args.quick else 3, repeats=1 if args.quick else 2)}
    names = args.recipes if args.recipes is not None else (["quick"] if args.quick else ["3-minute", "6-minute"])
    results = [time_to_accuracy(n, RECIPES[n]) for n in names]
    if results:
        print("\nTime to accuracy on full Fashion-MNIST (60,000 train / 10,000 test), data loading included")
        print(f"{'recipe':<10} {'device':<6} {'epochs':>6} {'final acc':>9} {'total wall s':>12} "
              f"{'92% at wall s':>13} {'93% at wall s':>13} {'(CPU s)':>9}")

        def cell(hit):
            return f"{hit[0]:.0f} (ep {hit[2]})" if hit else "not reached"

        for r in results:
            e, w, c, a = r["final"]
            print(f"{r['name']:<10} {r['device']:<6} {e:>6} {a:>9.4f} {w:>12.0f} {cell(r['92']):>13} {cell(r['93']):>13} {c:>9.0f}")
        print("targets on a 2-core CPU: 92% within 180 s, 93% within 360 s (wall, data loading included)")
        record["time_to_accuracy"] = [
            {"recipe": r["name"], **RECIPES[r["name"]], "device": r["device"], "date": record["date"],
             "threads": record["threads"],
             "epochs_log": [dict(zip(("epoch", "wall_s", "cpu_s", "accuracy"), row)) for row in r["log"]]}
            for r in results
        ]
    record["load_average_after"] = os.getloadavg()[0]
    if args.save:  # update the parts measured in this run, keep the others
        path = Path(args.save)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            old = json.loads(path.read_text(encoding="utf-8"))
            runs = {r["recipe"]: {"date": old["date"], "threads": old["threads"], **r}
                    for r in old.get("time_to_accuracy", [])}
            runs.update({r["recipe"]: dict(r, date=record["date"], threads=record["threads"])
                         for r in record.get("time_to_accuracy", [])})
            record = {**old, **record, "time_to_accuracy": sorted(runs.values(), key=lambda r: r["recipe"])}
        atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1), encoding="utf-8"))
        print(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
