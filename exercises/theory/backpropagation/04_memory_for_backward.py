"""What backpropagation keeps in memory

difficulty: hard
kind: open

Training a network takes much more memory than running it on the same batch under
`torch.no_grad()`. From the by-hand backward pass on the page, which forward-pass values must be
kept until `backward()` runs, and why? How could you trade computation for memory when a model
does not fit?

Answer:
Each layer's weight gradient is its *input* times the gradient at its output, and each
non-linearity's backward step needs its own input or output ($a$ for the sigmoid's $a(1-a)$, the
sign of $h$ for a ReLU). So autograd keeps every layer's input activations from the forward pass
until the backward pass has used them: memory grows with depth and batch size. Under
`torch.no_grad()` nothing is recorded, so each activation can be freed as soon as the next layer
has used it. To trade computation for memory, use a smaller batch (with gradient accumulation to
keep the effective batch size), or *activation checkpointing*: keep only some activations and
recompute the others during the backward pass
([`torch.utils.checkpoint`](https://pytorch.org/docs/stable/checkpoint.html)). Mixed precision
also halves the size of each stored activation.
"""
