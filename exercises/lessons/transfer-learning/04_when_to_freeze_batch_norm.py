"""When would you freeze batch norm too?

difficulty: hard
kind: open

fastai's `freeze` leaves the batch-norm layers of the body trainable, and this page measured what
that does with a few labelled images. Think of cases where `freeze(train_bn=False)` is the better
choice, or the only one: the batch size, how different the new images are from the pretraining
images, what you want to cache, and what the model does at inference time.

Answer:
Keep batch norm frozen when its batch statistics would be poor or when the body must not change:
with tiny batches (2 or 4 images) the per-batch mean and variance are noisy and the running
averages drift away from anything useful; when you precompute features, because a body that
changes makes the cache stale; and when you fine-tune a detector or a segmenter whose batches
are one or two large images (detection libraries freeze batch norm for that reason). Let it
train when the new images differ in their statistics (another camera, medical scans, grey images
on an ImageNet body) and batches are reasonably large: re-centring each channel is cheap and
often recovers accuracy. The original paper explains what the layer normalises: Ioffe and
Szegedy, [Batch Normalization](https://arxiv.org/abs/1502.03167); fastai's choice is the
`train_bn` argument of [`Learner.freeze`](https://docs.fast.ai/learner.html).
"""
