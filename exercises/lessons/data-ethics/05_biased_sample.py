"""The cricket player

difficulty: hard
kind: open

The lesson notes' example: a classifier meant to recognise cricket players learns to recognise
one player, because most of the photos were of him. Its validation accuracy, on photos cut from
the same collection, is high. How would you find out that it fails on other players, and what
would you change in the data, the measurement and the training? Which of the provenance
questions on the page would have warned you before training?

Answer:
The validation set shares the skew, so it cannot show the failure: you need test photos that
represent what the model is for (many players, in many settings), gathered separately, and
results reported per group (per player, per setting), as *Gender Shades* did for faces. "Who
created it, how was it formed, who is missing?" would have shown that one person dominates.
The fixes, in order: collect more representative data; if that is impossible, rebalance (weights
or resampling by player); and keep measuring per group, because rebalancing trades one group's
errors for another's, as the page's run shows. Further reading: Gebru et al.,
[*Datasheets for Datasets*](https://arxiv.org/abs/1803.09010); Buolamwini and Gebru,
[*Gender Shades*](https://proceedings.mlr.press/v81/buolamwini18a.html); the fast.ai book's
chapter on [data ethics](https://github.com/fastai/fastbook/blob/master/03_ethics.ipynb).
"""
