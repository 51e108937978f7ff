"""When is a validation set not enough?

difficulty: hard
kind: open

You try 50 combinations of learning rate, model width and augmentation, and keep the one with
the best validation accuracy. Is that accuracy what you should expect on new data? What if the
images were photos of 200 people, several per person, split at random? Or sales records, split
at random rather than by date? Decide how you would build the validation (and test) set in each
case.

Answer:
Choosing among many runs by their validation score fits the choice to the validation set: the
winner's score is optimistic, a little for 50 runs on thousands of images, a lot for many runs
on a few hundred. A test set, looked at once at the very end, gives the honest number. Random
splits are wrong whenever the data has groups or time: photos of the same person in both parts
let the model recognise people instead of learning the task (split by person), and tomorrow's
sales can't be predicted from a model that has seen next week (split by date: train on the
past, validate on the most recent). Further reading: Rachel Thomas, [How (and why) to create a
good validation set](https://www.fast.ai/posts/2017-11-13-validation-sets.html); Kapoor and
Narayanan, [Leakage and the reproducibility crisis in ML-based
science](https://reproducible.cs.princeton.edu/) (2023); scikit-learn's [cross-validation
guide](https://scikit-learn.org/stable/modules/cross_validation.html) (group and time-series splits).
"""
