"""Export everything the model needs

difficulty: easy
kind: code

The starter "deploys" a small CNN: it writes its tensors into JSON, reads them back into a fresh
model, and compares the two models' outputs on a few images in evaluation mode. The numbers do
not agree. Find what the export leaves out and fix it, so that the reloaded model gives the
same outputs.

Answer:
`model.named_parameters()` lists only what the optimizer trains: the convolution weights and
batch norm's scale and shift. Batch norm's *running* mean and variance are *buffers*: updated
during training, but not by gradients, and exactly what `model.eval()` uses. `model.state_dict()`
holds parameters and buffers, which is why the page exports it. (The starter's model has been
run in training mode once, so its running statistics are no longer the initial 0 and 1.)
"""

# --8<-- [start:starter]
import json

import torch

from dlnotes.models import small_cnn

torch.manual_seed(0)
model = small_cnn(width=4)
model(torch.randn(64, 1, 28, 28))  # one batch in training mode: batch norm's running statistics move
model.eval()

exported = {name: t.tolist() for name, t in model.named_parameters()}  # TODO: export everything needed
text = json.dumps(exported)

reloaded = small_cnn(width=4)
reloaded.load_state_dict({name: torch.tensor(v) for name, v in json.loads(text).items()}, strict=False)
reloaded.eval()
images = torch.randn(5, 1, 28, 28)
with torch.no_grad():
    difference = (model(images) - reloaded(images)).abs().max().item()
print(f"{len(exported)} tensors exported; largest difference in the outputs: {difference:.2e}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import json

import torch

from dlnotes.models import small_cnn

torch.manual_seed(0)
model = small_cnn(width=4)
model(torch.randn(64, 1, 28, 28))  # one batch in training mode: batch norm's running statistics move
model.eval()

exported = {name: t.tolist() for name, t in model.state_dict().items()}  # parameters and buffers
text = json.dumps(exported)

reloaded = small_cnn(width=4)
reloaded.load_state_dict({name: torch.tensor(v) for name, v in json.loads(text).items()}, strict=False)
reloaded.eval()
images = torch.randn(5, 1, 28, 28)
with torch.no_grad():
    difference = (model(images) - reloaded(images)).abs().max().item()
print(f"{len(exported)} tensors exported; largest difference in the outputs: {difference:.2e}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert difference < 1e-6, f"the reloaded model's outputs differ by {difference:.2e}: something is missing from the export"
print("check passed: the reloaded model computes what the original computes")
# --8<-- [end:check]
