"""Catch a layer's output with a hook

difficulty: medium
kind: code

`dlnotes.visualize.activations` records what each block outputs with *forward hooks*: functions
PyTorch calls after a module's forward pass. Register a hook on `model.block2` that stores its
output in `captured["block2"]`, run one image through the model, and remove the hook again.

Answer:
`handle = model.block2.register_forward_hook(lambda module, inputs, output: captured.update(block2=output.detach()))`,
then `handle.remove()` after the forward pass (a hook left behind keeps running, and keeps memory,
on every later call). The block's output is 32 feature maps of 7×7; the page draws the strongest
of them.
"""

# --8<-- [start:starter]
import torch

from dlnotes import fashion_mnist, small_cnn

torch.manual_seed(0)
model = small_cnn().eval()
train, _ = fashion_mnist(sample=True)
image, label = train[0]

captured = {}
# TODO: register a forward hook on model.block2 that stores its output in captured["block2"]
with torch.no_grad():
    scores = model(image[None])
# TODO: remove the hook
print("captured:", {name: tuple(out.shape) for name, out in captured.items()})
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import fashion_mnist, small_cnn

torch.manual_seed(0)
model = small_cnn().eval()
train, _ = fashion_mnist(sample=True)
image, label = train[0]

captured = {}
handle = model.block2.register_forward_hook(lambda module, inputs, output: captured.update(block2=output.detach()))
with torch.no_grad():
    scores = model(image[None])
handle.remove()
print("captured:", {name: tuple(out.shape) for name, out in captured.items()})
# --8<-- [end:solution]

# --8<-- [start:check]
assert "block2" in captured, "nothing was captured: is the hook registered on model.block2?"
assert tuple(captured["block2"].shape) == (1, 32, 7, 7), f"captured {tuple(captured['block2'].shape)}"
assert not model.block2._forward_hooks, "the hook is still registered: remove it"
with torch.no_grad():
    assert torch.allclose(captured["block2"], model.block2(model.block1(image[None]))), "that is not block2's output"
print("check passed: block2's 32 feature maps of 7×7, and no hook left behind")
# --8<-- [end:check]
