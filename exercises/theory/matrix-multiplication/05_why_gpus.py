"""Why do GPUs make deep learning fast?

difficulty: hard
kind: open

A matrix product of two n × n matrices does n³ multiply-adds on 3n² numbers. What does that ratio
have to do with why GPUs (and CPU libraries like oneDNN) reach a large share of their peak speed
on matrix products, but not on element-wise operations such as adding two tensors or applying
ReLU? Time `a @ b` and `a + b` for a few sizes and compute the FLOPs per second of each.

Answer:
Arithmetic intensity: a product does about n multiply-adds per number it reads, so for large n
the arithmetic units, not memory, set the pace, and tiling in caches (or a GPU's shared memory)
keeps them fed. An element-wise operation does one operation per number read and written, so it
runs at memory speed whatever the hardware's arithmetic peak; that is why frameworks fuse
element-wise operations (`torch.compile`). Further reading: the roofline model (Williams,
Waterman and Patterson, [Roofline: an insightful visual performance model](https://doi.org/10.1145/1498765.1498785)),
Horace He's [Making deep learning go brrrr from first principles](https://horace.io/brrr_intro.html),
and NVIDIA's [matrix multiplication background guide](https://docs.nvidia.com/deeplearning/performance/dl-performance-matrix-multiplication/index.html).
"""
