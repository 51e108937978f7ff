"""How many neurons does a curve need?

difficulty: hard
kind: open

The universal approximation theorem says that one hidden layer with enough neurons can
approximate any continuous function as closely as you like. Try the page's sine fit with 2, 4,
8 and 32 hidden neurons, and with two hidden layers of 8. What does "enough" turn out to be, and
why do practical networks go deep rather than just wide?

Answer:
With ReLU, each hidden neuron adds one "hinge", so the fit is a broken line with at most as many
bends as neurons: 2 or 4 are visibly too few for two periods of a sine, 8 to 32 follow it. The
theorem promises existence, not that training finds the weights, nor that the number of neurons
is reasonable: for some functions a shallow network needs exponentially many neurons where a
deeper one needs few, because layers compose (a bend of bends). Further reading: Michael
Nielsen, [A visual proof that neural nets can compute any
function](http://neuralnetworksanddeeplearning.com/chap4.html); the deep learning book,
[section 6.4](https://www.deeplearningbook.org/contents/mlp.html) on architecture design.
"""
