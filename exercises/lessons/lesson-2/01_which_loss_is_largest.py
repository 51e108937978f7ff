"""Which image is most suspicious?

difficulty: easy
kind: predict

A model gives these probabilities for four images labelled "Shirt". Before you run it: rank the
images by their loss (cross-entropy, −ln of the probability of the label), largest first. Which
would `suspects` put at the top of the CSV?

Answer:
The loss only looks at the probability of the *label*: −ln 0.9 ≈ 0.11, −ln 0.5 ≈ 0.69,
−ln 0.3 ≈ 1.20, −ln 0.02 ≈ 3.9. Image 3, where the model is sure it is something else, comes
first; it is either mislabelled or a shirt the model gets badly wrong, and a person has to look
to decide. Image 2, with a spread-out, unsure prediction, comes second: low confidence in the
label and no strong alternative.
"""

# --8<-- [start:starter]
import math

prob_of_label = {"image 0": 0.9, "image 1": 0.5, "image 2": 0.3, "image 3": 0.02}
losses = {name: -math.log(p) for name, p in prob_of_label.items()}
for name, loss in sorted(losses.items(), key=lambda item: item[1], reverse=True):
    print(f"{name}: p(Shirt) = {prob_of_label[name]:.2f}, loss = {loss:.2f}")
# --8<-- [end:starter]
