"""Reading the training and validation loss

difficulty: hard
kind: open

The lesson notes give two rules: "If your training loss is much lower than validation loss then
this means the network might be overfitting" and "If your training/validation loss are about
equal then your model is underfitting." Are they right? Look at the table this page trained
(training loss, validation loss, accuracy per epoch) and decide what each rule would tell you.
What is the sign of overfitting that actually matters?

Answer:
Training loss below validation loss is normal: the model has seen the training images, and with
dropout or augmentation on during training the comparison is not even like for like. What
matters is the *trend* of the validation loss (or, better, of the metric you care about): while
it still falls, the model is not overfitting, however far below it the training loss is; when it
turns up while the training loss keeps falling, the model has started to memorise. Equal losses
do not prove underfitting either; they can mean the task is easy, or that the model is
regularised well. Underfitting is when both losses are high and a bigger model or more epochs
bring them down. Further reading: Jeremy Howard and Sylvain Gugger,
[Deep learning for coders](https://github.com/fastai/fastbook) (chapter 1 on validation sets and
chapter 5 on overfitting); Andrew Ng, [Machine learning yearning](https://github.com/ajaymache/machine-learning-yearning)
(bias and variance); the [Data](data.md#why-a-validation-set-and-what-overfitting-looks-like)
page shows overfitting happen.
"""
