"""The one-cycle schedule that fit_one_cycle follows: learning rate and momentum at every step."""

from matplotlib import pyplot as plt

from dlnotes import one_cycle_schedule

steps = 2 * 157  # 2 epochs of the 10,000-image sample in batches of 64
lrs, moms = one_cycle_schedule(steps, max_lr=0.04)
peak = lrs.index(max(lrs))
print(f"start: lr {lrs[0]:.2g}, momentum {moms[0]:.2f}")
print(f"peak at step {peak} of {steps}: lr {lrs[peak]:.2g}, momentum {moms[peak]:.2f}")
print(f"end:   lr {lrs[-1]:.2g}, momentum {moms[-1]:.2f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(lrs)
ax1.set_title("learning rate (max_lr = 0.04)")
ax1.set_xlabel("step")
ax2.plot(moms, color="C1")
ax2.set_title("momentum (Adam's beta1)")
ax2.set_xlabel("step")
fig.suptitle("The one-cycle policy")
fig.tight_layout()
plt.show()
