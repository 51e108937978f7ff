"""Look at the data before training anything: 16 random training images with their labels."""

import matplotlib.pyplot as plt

from dlnotes import fashion_mnist, show_batch

train, _ = fashion_mnist(sample=True)
show_batch(train, n=16, ncols=8, seed=0, title="16 training images and their labels")
plt.show()
