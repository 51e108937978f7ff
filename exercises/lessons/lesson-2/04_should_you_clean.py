"""Should you clean the validation set too?

difficulty: hard
kind: open

The page cleans the *training* folder with the model's help. Should you clean the validation
and test sets the same way? What happens to the measured accuracy if you remove the validation
images the model gets most wrong, and what if you relabel them the way the model suggests?
And what would you do about images that are genuinely ambiguous (a top that could be a shirt)?

Answer:
Cleaning an evaluation set with the model you are evaluating biases it: the images it gets
wrong are removed or "corrected" towards its answers, so the accuracy rises without the model
getting better. Evaluation sets should be checked by people, ideally blind to the model's
predictions, or with a different model; report which labels changed. Ambiguous images are
better kept with a note (or several labels) than forced into one class or deleted: deleting
every hard case makes the task look easier than it is. Large benchmarks have this problem too:
Northcutt, Athalye and Mueller found label errors in the test sets of ten common benchmarks,
enough to change which model ranks first. Further reading: [Pervasive label errors in test sets
destabilize machine learning benchmarks](https://arxiv.org/abs/2103.14749) (2021) and
[labelerrors.com](https://labelerrors.com/); [Confident learning](https://arxiv.org/abs/1911.00068)
(2019) for finding label errors systematically.
"""
