"""Is the noise of SGD a bug or a feature?

difficulty: hard
kind: open

Mini-batch gradients are noisy estimates of the full gradient. Make the notebook's `sgd` take
batches of 1, 10 and 100 points, and compare the paths and the final loss. Then think beyond a
straight line: for a neural network, is the noise of small batches only a cost, or can it help
the model do well on new data? And when you raise the batch size to use a bigger GPU, what
should happen to the learning rate?

Answer:
The noise of a batch of B points shrinks like 1/√B: batches of 1 wander around the bottom of the
bowl, batches of 100 (here, the whole data set) slide straight in. For a line there is one
minimum and noise only costs accuracy. For networks there are many minima, and there is evidence
that the noise of small batches steers training towards flatter ones, which tend to generalise
better, though how much this matters is debated. Raising the batch size by k and the learning
rate by about k (with a warm-up) keeps training behaving the same up to a point (the "linear
scaling rule"), beyond which larger batches stop helping. Further reading: Keskar et al.,
[On large-batch training for deep learning: generalization gap and sharp
minima](https://arxiv.org/abs/1609.04836) (2016); Goyal et al., [Accurate, large minibatch SGD:
training ImageNet in 1 hour](https://arxiv.org/abs/1706.02677) (2017); McCandlish et al.,
[An empirical model of large-batch training](https://arxiv.org/abs/1812.06162) (2018).
"""
