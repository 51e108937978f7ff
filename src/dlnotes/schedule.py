"""Learning-rate schedules: the one-cycle policy, and learning rates per parameter group.

``one_cycle_schedule`` is a plain function of the step, so a page can plot it and a test can
check it without training anything; ``Trainer.fit_one_cycle`` follows it step by step.
``spread_lr`` turns what a user writes (``3e-3``, ``slice(1e-5, 1e-3)``, a list) into one
learning rate per parameter group (see ``dlnotes.models.param_groups``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["one_cycle_schedule", "spread_lr", "check_one_cycle"]


def _cos(start: float, end: float, frac: float) -> float:
    return end + (start - end) / 2 * (1 + math.cos(math.pi * frac))


def check_one_cycle(pct_start: float, div: float, div_final: float, moms: Sequence[float]) -> None:
    """Raise a ``ValueError`` naming the argument if a one-cycle setting makes no sense."""
    if isinstance(pct_start, bool) or not isinstance(pct_start, (int, float)) or not 0 <= pct_start < 1:
        raise ValueError(f"pct_start must be in [0, 1), got {pct_start!r}")
    for name, value in (("div", div), ("div_final", div_final)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a positive number (the learning rate is divided by it), got {value!r}")
    if len(moms) != 3 or not all(isinstance(m, (int, float)) and 0 <= m < 1 for m in moms):
        raise ValueError(f"moms must be three momentums in [0, 1) (start, peak, end), got {moms!r}")


# --8<-- [start:one_cycle]
def one_cycle_schedule(
    total_steps: int,
    max_lr: float,
    pct_start: float = 0.25,
    div: float = 25.0,
    div_final: float = 1e5,
    moms: tuple[float, float, float] = (0.95, 0.85, 0.95),
) -> tuple[list[float], list[float]]:
    """The learning rate and momentum at every step of a one-cycle run (fastai's defaults).

    The learning rate warms up from ``max_lr / div`` to ``max_lr`` along half a cosine during
    the first ``pct_start`` of the steps, then anneals along another half cosine down to
    ``max_lr / div_final``. The momentum does the opposite (high, low, high): while the
    learning rate is large, less momentum keeps the steps under control.

    Args:
        total_steps: number of optimizer steps in the run.
        max_lr: the peak learning rate.
        pct_start: fraction of the steps spent warming up.
        div: the starting learning rate is ``max_lr / div``.
        div_final: the final learning rate is ``max_lr / div_final``.
        moms: momentum at the start, at the peak and at the end.

    Returns:
        ``(lrs, moms)``: two lists of ``total_steps`` floats.
    """
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive int, got {total_steps!r}")
    if not (isinstance(max_lr, (int, float)) and max_lr > 0 and math.isfinite(max_lr)):
        raise ValueError(f"max_lr must be a positive number, got {max_lr!r}")
    check_one_cycle(pct_start, div, div_final, moms)
    warm = min(total_steps - 1, round(total_steps * pct_start))
    lrs, ms = [], []
    for t in range(total_steps):
        if t < warm:
            frac = t / warm
            lrs.append(_cos(max_lr / div, max_lr, frac))
            ms.append(_cos(moms[0], moms[1], frac))
        else:
            frac = (t - warm) / max(1, total_steps - warm - 1)
            lrs.append(_cos(max_lr, max_lr / div_final, frac))
            ms.append(_cos(moms[1], moms[2], frac))
    return lrs, ms
# --8<-- [end:one_cycle]


def spread_lr(lr: float | slice | Sequence[float], n: int, name: str = "lr") -> list[float]:
    """One learning rate per parameter group from a number, a ``slice(low, high)`` or a list.

    A slice spreads geometrically from ``low`` (the earliest layers) to ``high`` (the head);
    ``slice(None, high)`` is fastai's shorthand for ``high / 10`` everywhere but the head.

    Args:
        lr: what the user passed.
        n: the number of parameter groups.
        name: the argument's name, for the error messages.

    Returns:
        ``n`` positive, finite floats.
    """
    if isinstance(lr, slice):
        if lr.step is not None:
            raise ValueError(f"a learning-rate slice has no step, got {name}={lr!r}")
        low, high = lr.start, lr.stop
        if high is None:
            raise ValueError(f"a learning-rate slice needs an upper value, e.g. slice(1e-5, 1e-3); got {name}={lr!r}")
        if low is None:
            lrs = [high / 10] * (n - 1) + [high]
        elif n == 1:
            lrs = [high]
        else:
            lrs = [low * (high / low) ** (i / (n - 1)) for i in range(n)]
    elif isinstance(lr, (list, tuple)):
        if len(lr) != n:
            raise ValueError(f"{name} has {len(lr)} values but the model has {n} parameter groups")
        lrs = list(lr)
    elif isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"{name} must be a number, a slice(low, high) or a list of numbers, got {lr!r}")
    else:
        lrs = [lr] * n
    try:
        lrs = [float(v) for v in lrs]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers, got {lr!r}") from None
    if not all(v > 0 and math.isfinite(v) for v in lrs):
        raise ValueError(f"{name} must be positive and finite, got {lr!r}")
    return lrs
