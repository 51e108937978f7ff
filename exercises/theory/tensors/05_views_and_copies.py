"""Views, copies and memory

difficulty: hard
kind: open

`x.reshape(...)`, `x.view(...)`, `x.permute(...)`, `x.T` and `x[::2]` often return a *view*: a
new tensor that shares the original's memory. When does a change to the view change the
original? Why does `x.permute(1, 0).view(-1)` fail while `x.permute(1, 0).reshape(-1)` works?
Try it, then find out what "contiguous" and "strides" mean.

Answer:
A tensor is a block of memory plus a shape and *strides* (how many elements to skip to move one
step along each dimension). Transposing or slicing only changes the strides, so the result is a
view: writing into it writes into the original. `view` never copies, so it needs memory laid
out the way the new shape reads it (contiguous); after a `permute` it is not, and `view`
refuses. `reshape` returns a view when it can and quietly copies when it cannot, so after
`reshape` you cannot tell whether you share memory (`t.data_ptr()` and
`t.untyped_storage()` tell you). Further reading: PyTorch's
[tensor views](https://pytorch.org/docs/stable/tensor_view.html) and
[broadcasting semantics](https://pytorch.org/docs/stable/notes/broadcasting.html); Edward Yang's
[PyTorch internals](http://blog.ezyang.com/2019/05/pytorch-internals/) (strides, storage).
"""

# --8<-- [start:starter]
import torch

x = torch.arange(6).reshape(2, 3)
t = x.T  # a view: shares x's memory
t[0, 1] = 100
print(x)
print("contiguous:", x.is_contiguous(), t.is_contiguous(), " strides:", x.stride(), t.stride())
# --8<-- [end:starter]
