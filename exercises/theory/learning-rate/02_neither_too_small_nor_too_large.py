"""Neither too small nor too large

difficulty: easy
kind: code

The starter runs 20 steps of gradient descent on the loss f(w) = 5w² from w = 1, with a learning
rate so small that w hardly moves. Choose a learning rate that gets |w| below 0.001 in those 20
steps. Then try 0.25: what happens, and why?

Answer:
Each step multiplies w by (1 − 10·lr), so any lr that makes |1 − 10·lr| small enough works:
about 0.03 to 0.17 here, best 0.1 (one step). Above 0.2 the factor is below −1 and w
oscillates with growing size: the steeper the loss (here 5w², not w²), the smaller the learning
rate it tolerates.
"""

# --8<-- [start:starter]
lr = 0.001  # TODO: a learning rate that gets |w| below 0.001 in 20 steps
w = 1.0
for _ in range(20):
    w = w - lr * 10 * w  # the gradient of 5w² is 10w
print(f"lr {lr}: w after 20 steps = {w:+.6f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
lr = 0.08  # each step multiplies w by 1 - 10 * lr = 0.2
w = 1.0
for _ in range(20):
    w = w - lr * 10 * w  # the gradient of 5w² is 10w
print(f"lr {lr}: w after 20 steps = {w:+.6f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert abs(w) < 1e-3, f"|w| = {abs(w):.4g} after 20 steps: {'too small' if abs(1 - 10 * lr) < 1 else 'too large'} a learning rate"
print("check passed: converged in 20 steps")
# --8<-- [end:check]
