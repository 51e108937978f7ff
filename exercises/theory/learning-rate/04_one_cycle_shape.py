"""Shape a one-cycle schedule

difficulty: medium
kind: code

`one_cycle_schedule(total_steps, max_lr, pct_start=0.25, div=25.0, ...)` warms the learning rate
up from `max_lr / div` to `max_lr`, then anneals it. Make a 100-step schedule with a peak of 0.1
that warms up for the first 30 steps and starts at 0.01. Plot it to see the shape.

Answer:
`pct_start=0.3` (30% of the steps warming up) and `div=10` (start at max_lr / 10). fastai's
defaults, 25% and 25, start lower and warm up faster; the momentum runs the other way (high,
low, high), so that the steps are damped while the learning rate is large. See
[The one-cycle policy](#the-one-cycle-policy).
"""

# --8<-- [start:starter]
import matplotlib.pyplot as plt

from dlnotes import one_cycle_schedule

lrs, moms = one_cycle_schedule(100, max_lr=0.1)  # TODO: warm up for 30 steps, starting at 0.01
peak = max(range(len(lrs)), key=lrs.__getitem__)
print(f"starts at {lrs[0]:.4f}, peaks at step {peak} ({lrs[peak]:.3f}), ends at {lrs[-1]:.1e}")
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.plot(lrs)
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.set_title("A one-cycle schedule")
plt.show()
# --8<-- [end:starter]

# --8<-- [start:solution]
import matplotlib.pyplot as plt

from dlnotes import one_cycle_schedule

lrs, moms = one_cycle_schedule(100, max_lr=0.1, pct_start=0.3, div=10)
peak = max(range(len(lrs)), key=lrs.__getitem__)
print(f"starts at {lrs[0]:.4f}, peaks at step {peak} ({lrs[peak]:.3f}), ends at {lrs[-1]:.1e}")
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.plot(lrs)
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.set_title("A one-cycle schedule")
plt.show()
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(lrs) == 100 and abs(max(lrs) - 0.1) < 1e-9, "100 steps, peak 0.1"
assert peak == 30, f"the peak is at step {peak}, not after 30 warm-up steps"
assert abs(lrs[0] - 0.01) < 1e-9, f"starts at {lrs[0]:.4f}, not 0.01"
print("check passed: 30 warm-up steps from 0.01 to 0.1")
# --8<-- [end:check]
