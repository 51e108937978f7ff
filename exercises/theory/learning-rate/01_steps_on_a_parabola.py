"""Five steps down a parabola

difficulty: easy
kind: predict

Gradient descent on f(w) = w², starting at w = 1: each step does w ← w − lr · f′(w), and
f′(w) = 2w. Before you run it, predict w after five steps for each learning rate. Which one
reaches the bottom at once, which one bounces, which one runs away?

Answer:
Each step multiplies w by (1 − 2·lr). With lr = 0.1 that is 0.8 per step: steady but slow.
lr = 0.5 gives 0: the bottom in one step (the ideal rate for this curvature). lr = 1.0 gives −1:
w bounces between 1 and −1 for ever. lr = 1.1 gives −1.2: every step overshoots further, and
the loss grows; this is what "the loss exploded" means. A real network has many curvatures at
once, which is why a [range test](#the-range-test) is easier than a formula.
"""

# --8<-- [start:starter]
for lr in (0.1, 0.5, 1.0, 1.1):
    w = 1.0
    for _ in range(5):
        w = w - lr * 2 * w  # the gradient of w² is 2w
    print(f"lr {lr}: w after 5 steps = {w:+.4f}")
# --8<-- [end:starter]
