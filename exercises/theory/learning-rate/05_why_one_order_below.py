"""Why one order of magnitude below the minimum?

difficulty: hard
kind: open

The lesson notes' rule for reading a range test: "choose the learning rate one order lower than
the learning rate where loss is minimum". Why not the minimum itself? Is "one order lower"
always right? Compare with the suggestions `lr_find` reports (valley, steep, minimum/10) on the
plot above, and think about what the test measures: the loss *while the rate keeps growing*,
over a few hundred batches.

Answer:
At the minimum of the range-test curve the rate is already large enough to start destabilising
training: the loss is lowest there only because the earlier, smaller rates did the work, and one
step later it rises. A rate well below it is still on the steep, falling part of the curve, where
the loss drops fastest and training is stable for many epochs. "One order lower" is a rule of
thumb: the valley and steepest-slope rules often pick similar rates, but on some curves they
differ by a factor of three or more, and the best rate also depends on the schedule (one-cycle
tolerates a higher peak) and the batch size. Further reading: Leslie Smith, [Cyclical learning
rates for training neural networks](https://arxiv.org/abs/1506.01186) (2015) and [A disciplined
approach to neural network hyper-parameters](https://arxiv.org/abs/1803.09820) (2018); Sylvain
Gugger, [How do you find a good learning rate](https://sgugger.github.io/how-do-you-find-a-good-learning-rate.html).
"""
