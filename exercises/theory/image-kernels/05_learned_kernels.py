"""Hand-made kernels or learned ones?

difficulty: hard
kind: open

Every kernel on this page was designed by hand. A convolutional network learns its kernels
from data instead. Which of this page's kernels would you expect to find among the first-layer
kernels of a network trained on photographs, and which not? Why might a network's first layer
learn edge detectors at all, when nobody asks it to?

Answer:
Trained on natural images, first layers of very different networks learn much the same thing:
oriented edge and bar detectors like the Sobel kernels at many angles, colour-contrast blobs, and
some low-frequency (blur-like) filters; the identity and exact box blur are rare. Edges are where
the information in an image is: most neighbouring pixels are alike, and a kernel that answers to
change is the cheapest way to pass on what distinguishes one image from another. The same
kernels appear in the visual cortex of mammals (Hubel and Wiesel's simple cells).
[What a CNN learns](../cnn/what-cnns-learn.md) shows the first-layer kernels of our own small
CNN. Further reading: Zeiler and Fergus, [Visualizing and Understanding Convolutional
Networks](https://arxiv.org/abs/1311.2901) (2013); Olah et al., [An Overview of Early Vision in
InceptionV1](https://distill.pub/2020/circuits/early-vision/) (Distill, 2020); Victor Powell's
[image kernels explorer](https://setosa.io/ev/image-kernels/).
"""
