"""Benchmark of dlnotes.Trainer: its overhead, and how fast it reaches a given accuracy.

1. Overhead. ``Trainer.fit`` against the minimal hand-written loop (forward, loss, backward,
   step, then an evaluation pass), with the same model, data, optimizer, learning rate and
   seed, on the embedded Fashion-MNIST sample. Target: epoch-time ratio at most 1.05, and the
   same accuracy (the two runs are in fact bit-identical on the CPU).
2. Time to accuracy. What a reader types first, ``python -m dlnotes train --dataset
   fashion-mnist`` (the CLI's defaults), on the full Fashion-MNIST, data loading included: test
   accuracy after every epoch and the time at which it first reached 92% and 93%. Targets on a
   2-core CPU: 92% within 90 s, 93% within 180 s. Beside it, the baseline: a plain PyTorch loop
   (DataLoader, Adam at a constant rate, plain cross-entropy, the same layers) given the same
   180 s.
3. Ablation. What each ingredient of the defaults buys, as accuracy on 10,000 images held out
   of the training set (the test set chooses nothing): the recipe, then the recipe without one
   ingredient at a time, and the old default (small_cnn). Accuracy does not depend on the
   machine's load, so this part may run on one thread of a shared machine.

    python benchmarks/trainer.py                      # all three (about 15 minutes on 2 cores)
    python benchmarks/trainer.py --parts cli plain    # only the time-to-accuracy table
    python benchmarks/trainer.py --quick              # the overhead over 2 epochs

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

from dlnotes import Trainer, fashion_mnist, fast_loaders, models, small_cnn
from dlnotes._io import atomic_write

# Recipes for the time-to-accuracy runs: the model, the batch size, the one-cycle run.
RECIPES = {
    # what `python -m dlnotes train --dataset fashion-mnist` should do by default (chosen on a held-out split)
    "default": dict(model="fast_resnet", width=16, epochs=7, batch_size=256, max_lr=8e-3, augment=True, pad=0,
                    label_smoothing=0.1),
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
                                seed=0, pad=recipe.get("pad", 2))
    load_s = time.perf_counter() - w0
    torch.manual_seed(0)
    model = getattr(models, recipe["model"])(width=recipe["width"])
    log = []

    class Clock:
        def on_epoch_end(self, t):
            w, c = clocks()
            log.append((t.history[-1]["epoch"] + 1, w - w0, c - c0, t.history[-1]["accuracy"]))
            print(f"  epoch {log[-1][0]:>2}: {log[-1][1]:6.1f} s wall, {log[-1][2]:6.1f} s CPU, "
                  f"test accuracy {log[-1][3]:.4f}", flush=True)

    trainer = Trainer(model, train, valid, progress=False, verbose=False, callbacks=[Clock()],
                      loss_fn=nn.CrossEntropyLoss(label_smoothing=recipe.get("label_smoothing", 0.0)))
    n_params = sum(p.numel() for p in model.parameters())
    print(f"\n{name} recipe: {recipe['model']}(width={recipe['width']}) ({n_params:,} parameters), "
          f"batch {recipe['batch_size']}, fit_one_cycle({recipe['epochs']}, {recipe['max_lr']}), "
          f"augment={recipe['augment']}, {trainer.device.type}; data loaded in {load_s:.1f} s", flush=True)
    trainer.fit_one_cycle(recipe["epochs"], recipe["max_lr"])

    def first(threshold):
        return next(((w, c, e) for e, w, c, a in log if a >= threshold), None)

    return {"name": name, "log": log, "92": first(0.92), "93": first(0.93), "final": log[-1],
            "device": trainer.device.type}


# ----------------------------------------------------------------------------- the CLI's defaults

CLI_ARGS = ["train", "--dataset", "fashion-mnist"]  # what a reader types first
BUDGET_S = 180.0  # the time-to-93% target; 92% is due at half of it


def cli_defaults() -> dict:
    """``python -m dlnotes train --dataset fashion-mnist``, in this process: the reader's first run.

    The CLI's JSON gives the whole run's seconds (data loading included) and each epoch's time;
    the time at which epoch k ended is the run's start-up (loading, model) plus epochs 1..k.
    """
    import tempfile

    from dlnotes import cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        w0, c0 = clocks()
        cli.main([*CLI_ARGS, "--json", str(out)])
        cpu = time.process_time() - c0
        run = json.loads(out.read_text(encoding="utf-8"))
    startup = run["seconds"] - sum(h["time"] for h in run["history"])
    log, t = [], startup
    for h in run["history"]:
        t += h["time"]
        log.append((h["epoch"] + 1, t, cpu * t / run["seconds"], h["accuracy"]))
    print(f"\nCLI defaults: {run['model']}, batch {run['batch_size']}, {run['epochs']} epochs, lr {run['lr']}; "
          f"start-up (data loading, model) {startup:.1f} s; {run['seconds']:.0f} s in all", flush=True)
    return {"name": "cli", "log": log, "device": run["device"].split(":")[0], "args": " ".join(CLI_ARGS),
            "model": run["model"], "batch_size": run["batch_size"], "epochs": run["epochs"], "lr": run["lr"]}


def plain_loop(budget_s: float = BUDGET_S) -> dict:
    """The baseline: a plain PyTorch loop as tutorials write it, given the same wall-clock budget.

    A ``DataLoader`` over the training tensors (batch 128, shuffled), the same layers as the
    CLI's model without its extras (no test-time flip, no label smoothing, no augmentation),
    Adam at a constant 1e-3, plain cross-entropy; test accuracy after every epoch until the
    budget is spent (data loading included, as for the CLI).
    """
    from dlnotes.models import fast_resnet

    w0, c0 = clocks()
    tr, te = fashion_mnist()
    mean, std = tr.data.float().mean() / 255, tr.data.float().std() / 255
    prep = lambda d: ((d.data.float() / 255 - mean) / std).unsqueeze(1)  # noqa: E731
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(prep(tr), tr.targets), batch_size=128,
                                        shuffle=True, generator=torch.Generator().manual_seed(0))
    x_test, y_test = prep(te), te.targets
    torch.manual_seed(0)
    model = fast_resnet(tta=False)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    log, epoch = [], 0
    while time.perf_counter() - w0 < budget_s:
        model.train()
        for x, y in train:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
                          for i in range(0, len(y_test), 1000))
        epoch += 1
        w, c = clocks()
        log.append((epoch, w - w0, c - c0, correct / len(y_test)))
        print(f"  plain loop epoch {epoch:>2}: {w - w0:6.1f} s wall, test accuracy {log[-1][3]:.4f}", flush=True)
    return {"name": "plain loop", "log": log, "device": "cpu", "model": "fast_resnet(tta=False)", "batch_size": 128,
            "epochs": epoch, "lr": 1e-3}


def cli_table(results: list[dict]) -> None:
    print(f"\nTime to accuracy, full Fashion-MNIST, data loading included (budget {BUDGET_S:.0f} s wall)")
    print(f"{'run':<12} {'epochs':>6} {'acc at end':>10} {'total wall s':>12} {'92% at wall s':>14} "
          f"{'93% at wall s':>14} {'acc at budget':>13}")
    for r in results:
        e, w, c, a = r["log"][-1]
        hit = lambda t, log=r["log"]: next((f"{x[1]:.0f} (ep {x[0]})" for x in log if x[3] >= t), "not reached")  # noqa: E731
        at_budget = max((x[3] for x in r["log"] if x[1] <= BUDGET_S), default=float("nan"))
        print(f"{r['name']:<12} {e:>6} {a:>10.4f} {w:>12.0f} {hit(0.92):>14} {hit(0.93):>14} {at_budget:>13.4f}")
    print(f"targets: the CLI's defaults reach 92% within {BUDGET_S / 2:.0f} s and 93% within {BUDGET_S:.0f} s")


# ----------------------------------------------------------------------------- ablation

ABLATION = [  # (name, settings changed from the CLI's recipe)
    ("CLI recipe (all ingredients)", {}),
    ("- label smoothing", {"label_smoothing": 0.0}),
    ("- flip augmentation", {"augment": False}),
    ("old default: small_cnn, batch 128, lr 1e-2", {"model": "small_cnn", "batch_size": 128, "max_lr": 1e-2,
                                                    "label_smoothing": 0.0, "augment": False}),
]


def ablation_run(recipe: dict) -> dict:
    """Train on 50,000 training images and validate on the other 10,000 (the test set is not used)."""
    from dlnotes.data import FastLoader

    c0 = time.process_time()
    tr, _ = fashion_mnist()
    perm = torch.randperm(len(tr.targets), generator=torch.Generator().manual_seed(1234))
    fit, held = perm[:50_000], perm[50_000:]
    train = FastLoader(tr.data[fit], tr.targets[fit], batch_size=recipe["batch_size"], shuffle=True, device="cpu",
                       augment=recipe["augment"], pad=recipe.get("pad", 2), seed=0)
    valid = FastLoader(tr.data[held], tr.targets[held], batch_size=1024, device="cpu", normalize=train.stats)
    torch.manual_seed(0)
    model = getattr(models, recipe["model"])(width=recipe["width"])
    plain = nn.Sequential(*model.children())  # the same layers, one look per image
    accs = []

    class Validate:
        def on_epoch_end(self, t):
            for m in (model, plain):
                m.eval()
            with torch.no_grad():
                both = sum((model(x).argmax(1) == y).sum().item() for x, y in valid)
                one = sum((plain(x).argmax(1) == y).sum().item() for x, y in valid)
            model.train()
            accs.append((one / len(valid.targets), both / len(valid.targets)))

    trainer = Trainer(model, train, loss_fn=nn.CrossEntropyLoss(label_smoothing=recipe["label_smoothing"]),
                      progress=False, verbose=False, callbacks=[Validate()], device="cpu")
    trainer.fit_one_cycle(recipe["epochs"], recipe["max_lr"])
    return {"accuracy": accs[-1][0], "accuracy_flip_tta": accs[-1][1], "per_epoch": accs,
            "cpu_s": time.process_time() - c0}


def ablation(recipe: dict) -> list[dict]:
    rows = []
    print(f"\nAblation: 50,000 training / 10,000 held-out validation images (the test set is not used), "
          f"{recipe['epochs']} epochs, {torch.get_num_threads()} thread(s)")
    for name, change in ABLATION:
        r = {**recipe, **change}
        if r["model"] == "small_cnn":
            r["epochs"] = 4
        res = ablation_run(r)
        rows.append({"variant": name, **{k: v for k, v in r.items()}, **res})
        print(f"  {name:<44} val acc {res['accuracy']:.4f}, with test-time flip {res['accuracy_flip_tta']:.4f} "
              f"({r['epochs']} epochs, {res['cpu_s']:.0f} s CPU)", flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run: overhead over 2 epochs, one 2-epoch full-data run")
    parser.add_argument("--recipes", nargs="*", default=None, help=f"which recipes to run ({', '.join(RECIPES)})")
    parser.add_argument("--skip-overhead", action="store_true", help="only the time-to-accuracy runs")
    parser.add_argument("--save", metavar="PATH", default=str(Path(__file__).parent / "results" / "trainer.json"),
                        help="where to write the figures as JSON (default: benchmarks/results/trainer.json, "
                             "which the GPU-training page shows; parts not measured in this run are kept)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--parts", nargs="+", choices=["overhead", "cli", "plain", "ablation"],
                        default=["overhead", "cli", "plain", "ablation"],
                        help="what to measure (default: all four; the time-to-accuracy recipes only with --recipes)")
    parser.add_argument("--ablation-threads", type=int, default=None,
                        help="threads for the ablation (its figures are accuracies, so one thread on a shared machine is fine)")
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
    if args.skip_overhead or args.quick:
        args.parts = [p for p in args.parts if p != "overhead"] if args.skip_overhead else ["overhead"]
    if "overhead" in args.parts:
        record["overhead"] = {"date": record["date"], "threads": record["threads"],
                              "load_average_before": os.getloadavg()[0],
                              **overhead(epochs=2 if args.quick else 3, repeats=1 if args.quick else 2)}
    runs = []
    if "cli" in args.parts:
        runs.append(cli_defaults())
    if "plain" in args.parts:
        runs.append(plain_loop())
    if runs:
        cli_table(runs)
        record["cli"] = {"date": record["date"], "threads": record["threads"], "cpus": record["cpus"],
                         "load_average_before": record["load_average_before"], "budget_s": BUDGET_S,
                         "command": "python -m dlnotes " + " ".join(CLI_ARGS),
                         "runs": [{k: v for k, v in r.items() if k != "log"} | {
                             "epochs_log": [dict(zip(("epoch", "wall_s", "cpu_s", "accuracy"), row)) for row in r["log"]]}
                             for r in runs]}
    if "ablation" in args.parts:
        if args.ablation_threads:
            torch.set_num_threads(args.ablation_threads)
        record["ablation"] = {"date": record["date"], "threads": torch.get_num_threads(),
                              "rows": ablation(dict(RECIPES["default"]))}
    names = args.recipes if args.recipes is not None else (["quick"] if args.quick else [])
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
