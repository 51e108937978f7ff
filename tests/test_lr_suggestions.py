"""benchmarks/lr_suggestions.py: fastai's rules follow their documented definitions, the committed
results cover the configurations the evaluation promises, their table is what the current rules
give on the recorded curves, and the learning-rate page's sentences about them hold."""

from __future__ import annotations

import importlib.util
import json
import re

import numpy as np
import pytest
from conftest import DOCS, ROOT

RESULTS = ROOT / "benchmarks" / "results" / "lr_suggestions.json"
PAGE = DOCS / "theory" / "learning-rate.md"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("lr_suggestions", ROOT / "benchmarks" / "lr_suggestions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------- fastai's rules, by definition

NUM_ITER = 100
LRS = np.logspace(-7, 1, NUM_ITER)


def test_fastai_rules_use_the_points_after_the_first_tenth_minus_the_last_five(bench):
    losses = np.linspace(2.0, 1.0, NUM_ITER)  # steadily down: the lowest point is the very last
    losses[-5:] = 0.1  # lower still, but among the last five points, which fastai leaves out
    assert bench.fastai_minimum(LRS, losses, NUM_ITER) == pytest.approx(LRS[-6] / 10)
    losses[:10] = 0.0  # the first tenth is left out too
    assert bench.fastai_minimum(LRS, losses, NUM_ITER) == pytest.approx(LRS[-6] / 10)


def test_fastai_valley_is_between_a_third_and_a_half_of_the_longest_decreasing_run(bench):
    # down from point 10 (the first kept) to 69, then up: the run has 60 points. fastai's index is
    # end - length + int(length / 3) + int(length / 6) in the kept points: 59 - 60 + 20 + 10 = 29
    losses = np.r_[np.linspace(3, 1, 70), np.linspace(1.1, 3, 30)]
    assert bench.fastai_valley(LRS, losses, NUM_ITER) == pytest.approx(LRS[10 + 29])


def test_fastai_steep_is_the_steepest_step_per_log_lr(bench):
    losses = np.full(NUM_ITER, 2.0)
    losses[40:] -= 0.2
    losses[41:] -= 0.5  # the steepest fall: from point 40 to 41
    losses[42:] -= 0.1
    assert bench.fastai_steep(LRS, losses, NUM_ITER) == pytest.approx(LRS[40])


def test_fastai_slide_walks_left_while_the_gradients_15_points_apart_differ(bench):
    line = np.linspace(2.0, 1.0, NUM_ITER)  # one slope everywhere: it stops at once, 15 points from the end
    assert bench.fastai_slide(LRS, line, NUM_ITER) == pytest.approx(LRS[-5 - 1 - 15])
    bent = line.copy()
    bent[60:] += np.linspace(0, 3, 40) ** 2  # curves up from point 60: it walks back to about there
    found = int(np.argmin(np.abs(LRS - bench.fastai_slide(LRS, bent, NUM_ITER))))
    assert 40 <= found <= 62


def test_the_gap_is_interpolated_in_log_lr(bench):
    grid, accs = [1e-3, 1e-2, 1e-1], [0.5, 0.9, 0.7]
    assert bench.accuracy_at(10 ** -1.5, grid, accs) == pytest.approx(0.8)  # half-way in log10
    assert bench.accuracy_at(1e-5, grid, accs) == pytest.approx(0.5)


# ----------------------------------------------------------------------- the committed results


def test_results_cover_the_promised_configurations(bench, results):
    runs = results["runs"]
    assert [r["config"] for r in runs] == [c[0] for c in bench.CONFIGS]  # every configuration, in order
    assert len(runs) >= 6
    assert len({r["model"] for r in runs}) >= 2
    assert len({r["batch_size"] for r in runs}) >= 2
    assert {r["optimizer"] for r in runs} >= {"adamw", "sgd"}
    assert {r["data"] for r in runs} >= {"sample", "full"}
    for r, cfg in zip(runs, bench.CONFIGS, strict=True):
        assert r["role"] == cfg[5]  # the split saved is the split in the script
        assert len(r["grid"]) == 7 and r["grid"] == bench.grid_of(cfg)
        assert len(r["seeds"]) >= 2 and all(len(row) == len(r["seeds"]) for row in r["accuracy_per_seed"])
        assert r["accuracy"] == pytest.approx([float(np.mean(row)) for row in r["accuracy_per_seed"]])
        assert len(r["lrs"]) == len(r["losses"]) > r["num_iter"] // 10 + 5
    roles = {r["role"] for r in runs}
    assert roles == {"tune", "report"}


def test_the_saved_table_is_what_the_current_rules_give(bench, results, capsys):
    """A change to a rule (its constant, say) without rerunning ``--rules`` fails here."""
    fresh = bench.table(results["runs"])
    capsys.readouterr()
    assert fresh.keys() == results["table"].keys()
    for rule, row in fresh.items():
        saved = results["table"][rule]
        assert row["lrs"] == pytest.approx(saved["lrs"]), rule
        assert row["gaps"] == pytest.approx(saved["gaps"]), rule
        for role in ("tune", "report"):
            assert row[role] == pytest.approx(saved[role]), (rule, role)
    assert results["target"] == {"worst": bench.TARGET_WORST, "median": bench.TARGET_MEDIAN}


# ----------------------------------------------------------------------- the page's sentences


def test_the_page_embeds_the_results():
    assert '--8<-- "lr_suggestions_results.py"' in PAGE.read_text(encoding="utf-8")


def test_each_grid_is_placed_around_its_best(results):
    """"Each configuration then gets its own grid of seven learning rates, ... placed around its best"."""
    for run in results["runs"]:
        assert not results["checks"][run["config"]]["best_at_edge"], run["config"]


def test_the_fraction_was_tuned_on_the_first_tune_configuration(results):
    """"The fraction was tuned on that one configuration (a small CNN, batch 64, AdamW, the sample)",
    the configuration of benchmarks/lr_finder.py's defaults, and the first *tune* configuration."""
    first = next(r for r in results["runs"] if r["role"] == "tune")
    assert (first["model"], first["batch_size"], first["optimizer"], first["data"]) == ("small_cnn", 64, "adamw", "sample")
    source = (ROOT / "benchmarks" / "lr_finder.py").read_text(encoding="utf-8")
    assert re.search(r'"--batch-size", type=int, default=64\)', source)
    assert "Trainer(small_cnn()" in source and "opt_func" not in source  # the Trainer's default: AdamW


def test_the_default_s_worst_tune_gap_is_below_the_best_rate(results):
    """"The default's largest gap on the tune configurations comes from a rate *below* the best one"."""
    default = results["table"]["valley (ours, default)"]
    tune = [r for r in results["runs"] if r["role"] == "tune"]
    worst = max(tune, key=lambda r: default["gaps"][r["config"]])
    assert default["lrs"][worst["config"]] < results["checks"][worst["config"]]["best_lr"]


def test_fastai_valley_is_ten_times_smaller_and_worse_everywhere(results):
    """"fastai's `valley` suggests a rate more than ten times smaller than ours on every configuration,
    and even its smallest gap is larger than every gap of our default"."""
    ours, theirs = results["table"]["valley (ours, default)"], results["table"]["fastai valley"]
    for run in results["runs"]:
        assert theirs["lrs"][run["config"]] * 10 < ours["lrs"][run["config"]], run["config"]
    assert min(theirs["gaps"].values()) > max(ours["gaps"].values())


def test_the_two_minimum_rules_agree_on_these_curves(results):
    """"Our `minimum` and fastai's `minimum` ... changed nothing on these curves"."""
    ours, theirs = results["table"]["minimum (ours)"], results["table"]["fastai minimum/10"]
    assert ours["lrs"] == pytest.approx(theirs["lrs"])
