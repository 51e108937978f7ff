"""What do deeper units respond to?

difficulty: hard
kind: open

On this page, the first block's maps look like edges and outlines, while the third block's maps
are coarse blobs that are hard to name. Zeiler and Fergus could name many of their deep units
("faces", "text", "wheels"). Why is that harder for our small CNN on Fashion-MNIST? Which methods
would you use to find out what a deep unit responds to, and how would you tell a real
explanation from a pretty picture?

Answer:
Our network is small, trained briefly, on 28×28 grayscale clothes in ten classes: its deep units
only need to separate those classes, so they encode combinations (a sleeve shape with a collar)
that have no everyday name, and each of its 64 third-block units is shared by many concepts
(polysemantic). The methods: the images that excite a unit most (the page's last figure),
occlusion (cover parts of the image and watch the unit), gradients of the unit with respect to
the input (saliency), and feature visualisation (optimise an input to excite the unit). Tests
of an explanation: does it predict the unit's response on new images, and does removing the
unit change the predictions it should? Further reading: Zeiler and Fergus,
[Visualizing and understanding convolutional networks](https://arxiv.org/abs/1311.2901);
Olah, Mordvintsev and Schubert, [Feature visualization](https://distill.pub/2017/feature-visualization/)
(Distill, 2017); Adebayo et al., [Sanity checks for saliency maps](https://arxiv.org/abs/1810.03292) (2018).
"""
