"""Hold out a validation set

difficulty: easy
kind: code

Split the 1,000 indices of a dataset at random into a training set of 800 and a validation set
of 200, with a seeded generator so that the split is the same every run. The two parts must not
share an index, and together they must cover all of them.

Answer:
`perm = torch.randperm(n, generator=torch.Generator().manual_seed(42))`, then the first 800 for
training and the rest for validation. Shuffle before you cut: data files are often sorted (by
class, by date, by source), and the last 20% of a sorted file is not a fair sample. Keep the
seed (or save the indices), so that every model you compare is judged on the same images.
"""

# --8<-- [start:starter]
import torch

n = 1000
train_idx = torch.arange(n)  # TODO: a seeded random permutation, cut into 800 and 200
valid_idx = torch.arange(0)
print(f"train {len(train_idx)}, valid {len(valid_idx)}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

n = 1000
perm = torch.randperm(n, generator=torch.Generator().manual_seed(42))
train_idx, valid_idx = perm[:800], perm[800:]
print(f"train {len(train_idx)}, valid {len(valid_idx)}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(train_idx) == 800 and len(valid_idx) == 200, f"sizes {len(train_idx)} and {len(valid_idx)}, expected 800 and 200"
assert not set(train_idx.tolist()) & set(valid_idx.tolist()), "an index is in both parts"
assert sorted(train_idx.tolist() + valid_idx.tolist()) == list(range(n)), "the parts do not cover every index once"
assert valid_idx.tolist() != list(range(800, 1000)), "that is the last 200, not a random 200"
print("check passed: a random 800/200 split")
# --8<-- [end:check]
