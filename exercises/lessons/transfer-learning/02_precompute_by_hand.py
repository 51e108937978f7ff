"""Precompute by hand

difficulty: medium
kind: code

Split the pretrained model into body and head with `body_and_head`, run the body once over the
images **in eval mode and without gradients**, and keep its outputs as `features`. Then the head
applied to `features` must give exactly what the whole model gives (in eval mode). Fill in the
line marked TODO.
"""

# --8<-- [start:starter]
import torch

from dlnotes.features import body_and_head
from dlnotes.models import pretrained_small_resnet

torch.manual_seed(0)
model = pretrained_small_resnet(n_classes=5)
images = torch.randn(16, 1, 28, 28)
body, head = body_and_head(model)

features = torch.zeros(16, 64)  # TODO: the body's outputs for the images, computed once
print("features:", tuple(features.shape))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes.features import body_and_head
from dlnotes.models import pretrained_small_resnet

torch.manual_seed(0)
model = pretrained_small_resnet(n_classes=5)
images = torch.randn(16, 1, 28, 28)
body, head = body_and_head(model)

body.eval()
with torch.no_grad():
    features = body(images)
print("features:", tuple(features.shape))
# --8<-- [end:solution]

# --8<-- [start:check]
model.eval()
with torch.no_grad():
    expected = model(images)
    got = head(features)
assert torch.allclose(got, expected, atol=1e-5), "head(features) differs from model(images): eval mode? the body's output?"
print(f"check passed: head(features) equals model(images) (max difference {(got - expected).abs().max():.1e})")
# --8<-- [end:check]
