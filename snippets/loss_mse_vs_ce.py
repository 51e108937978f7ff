"""MSE or cross-entropy for a classifier? Compare the loss and the gradient the model gets back."""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

# One image, two classes. The model outputs a logit z; sigmoid(z) = p is its probability for the
# true class (label 1). How hard does each loss push z up when the model is wrong?
print("p(true class)   CE loss  dCE/dz   MSE loss  dMSE/dz")
for p in (0.99, 0.9, 0.5, 0.1, 0.01, 0.001):
    z = torch.logit(torch.tensor(p, dtype=torch.float64)).requires_grad_()
    ce = F.binary_cross_entropy_with_logits(z, torch.tensor(1.0, dtype=torch.float64))
    (ce_grad,) = torch.autograd.grad(ce, z)
    mse = (torch.sigmoid(z) - 1) ** 2
    (mse_grad,) = torch.autograd.grad(mse, z)
    print(f"{p:13.3f}  {ce.item():8.3f}  {ce_grad.item():6.3f}  {mse.item():9.3f}  {mse_grad.item():7.4f}")
    if p == 0.001:
        assert abs(ce_grad) > 100 * abs(mse_grad)  # confidently wrong: cross-entropy still pushes, MSE barely does

p = torch.linspace(0.001, 0.999, 500)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(p, -torch.log(p), label="cross-entropy: −log p")
ax.plot(p, (1 - p) ** 2, label="MSE: (1 − p)²")
ax.set_xlabel("probability the model gives the true class")
ax.set_ylabel("loss")
ax.set_ylim(0, 5)
ax.set_title("Cross-entropy punishes confident mistakes without limit; MSE never exceeds 1")
ax.legend()
plt.show()
