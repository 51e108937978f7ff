"""Programming a rule versus learning it from examples: trousers or dresses?"""

import torch
import torch.nn.functional as F

from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
TROUSER, DRESS = train.classes.index("Trouser"), train.classes.index("Dress")


def two_classes(ds):
    keep = (ds.targets == TROUSER) | (ds.targets == DRESS)
    return ds.data[keep].float() / 255, (ds.targets[keep] == TROUSER).float()  # 1 = trouser


x_train, y_train = two_classes(train)
x_test, y_test = two_classes(test)


# 1. Programming: a person looks at pictures and writes a rule down.
def is_trouser(images):
    """Trousers have a dark gap between the legs: the lower-middle columns are darker than the legs."""
    lower = images[:, 16:26]
    gap = lower[:, :, 13:15].mean(dim=(1, 2))
    legs = torch.cat([lower[:, :, 8:11], lower[:, :, 17:20]], dim=2).mean(dim=(1, 2))
    return (gap < 0.5 * legs).float()


rule_acc = (is_trouser(x_test) == y_test).float().mean().item()

# 2. Learning: a weight per pixel and a bias, fitted to labelled examples by gradient descent.
torch.manual_seed(0)
w = torch.zeros(784, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.5)
for _ in range(100):
    logits = x_train.flatten(1) @ w + b
    loss = F.binary_cross_entropy_with_logits(logits, y_train)
    opt.zero_grad()
    loss.backward()
    opt.step()
learned_acc = (((x_test.flatten(1) @ w + b) > 0).float() == y_test).float().mean().item()

assert learned_acc > rule_acc  # the claim the page makes: here, the examples beat the rule
print(f"{len(x_train)} training images, {len(x_test)} test images (trousers and dresses only)")
print(f"hand-written rule  : {rule_acc:.1%} correct on the test images")
print(f"learned from data  : {learned_acc:.1%} correct on the test images")
print(f"the learned 'program' is {w.numel() + b.numel()} numbers, not a line of rules")
