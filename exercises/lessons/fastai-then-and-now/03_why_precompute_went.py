"""Why did precompute go away?

difficulty: hard
kind: open

The 2017 lesson created its pretrained learner with `precompute=True`; fastai 1 and 2 have
no such option, and `fine_tune` trains the head with the body frozen for one epoch instead.
Why was caching dropped, and when is it still the right thing to do today?

Answer:
Caching only works while nothing changes the body's output: the body must be frozen *and* the
images must be the same every epoch, so data augmentation, which helps most with small data
sets, is impossible. GPUs and mixed precision made a frozen-body epoch cheap enough that the
speed was no longer worth that loss, and a single `fine_tune` call removed the trap of
forgetting `precompute=False`. Caching is still right when you never fine-tune the body: a
*linear probe* on frozen features (the standard way to evaluate self-supervised models such as
DINO), nearest-neighbour search on embeddings, or a quick baseline on a large data set.
Further reading: fastai's [`fine_tune`](https://docs.fast.ai/callback.schedule.html#learner.fine_tune)
and chapter 1 of the fastai book; Oquab et al., [*DINOv2*](https://arxiv.org/abs/2304.07193)
(linear probing of frozen features).
"""
