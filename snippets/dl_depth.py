"""What "deep" counts: layers with weights stacked one after another, not hours of training."""

from torch import nn
from torchvision.models import resnet34

from dlnotes.models import small_cnn, small_resnet


def depth(model):
    """Layers with weights (convolutions and fully connected layers) on the main path.

    Shortcut branches of residual blocks (1×1 convolutions beside the main path) are skipped.
    """
    return sum(
        isinstance(m, (nn.Conv2d, nn.Linear)) and not any(s in name for s in ("downsample", "shortcut"))
        for name, m in model.named_modules()
    )


models = {
    "one hidden layer": nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)),
    "small_cnn()": small_cnn(),
    "small_resnet()": small_resnet(),
    "resnet34 (torchvision)": resnet34(weights=None),  # architecture only: no download
}
print(f"{'model':24s} {'layers':>6s} {'parameters':>12s}")
for name, model in models.items():
    print(f"{name:24s} {depth(model):6d} {sum(p.numel() for p in model.parameters()):12,d}")
assert depth(models["resnet34 (torchvision)"]) == 34  # the 34 in the name is its depth
shallow, cnn = models["one hidden layer"], models["small_cnn()"]
assert depth(cnn) > depth(shallow) and sum(p.numel() for p in cnn.parameters()) < sum(p.numel() for p in shallow.parameters())
