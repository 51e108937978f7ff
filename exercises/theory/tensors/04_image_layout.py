"""From an image file's layout to PyTorch's

difficulty: medium
kind: code

Image libraries (PIL, matplotlib, OpenCV) store a colour image as height × width × channels,
bytes from 0 to 255. PyTorch's layers want channels × height × width, floats, and a batch
dimension in front. Turn the photograph (a uint8 array of shape height × width × 3) into a float
tensor of shape `(1, 3, height, width)` with values from 0 to 1, without moving any pixel.
"""

# --8<-- [start:starter]
import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np
import torch

with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
    photo = np.array(plt.imread(f))  # uint8: height, width, channels
print("photo:", photo.shape, photo.dtype)

batch = torch.from_numpy(photo)  # TODO: channels first, floats from 0 to 1, a batch dimension
print("batch:", tuple(batch.shape), batch.dtype)
# --8<-- [end:starter]

# --8<-- [start:solution]
import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np
import torch

with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
    photo = np.array(plt.imread(f))  # uint8: height, width, channels
print("photo:", photo.shape, photo.dtype)

batch = torch.from_numpy(photo).permute(2, 0, 1).float().div(255).unsqueeze(0)
print("batch:", tuple(batch.shape), batch.dtype)
# --8<-- [end:solution]

# --8<-- [start:check]
height, width, _ = photo.shape
assert tuple(batch.shape) == (1, 3, height, width), f"shape {tuple(batch.shape)}, expected {(1, 3, height, width)}"
assert batch.dtype == torch.float32 and 0 <= batch.min() and batch.max() <= 1, "floats from 0 to 1"
assert abs(batch[0, 1, 10, 20].item() - photo[10, 20, 1] / 255) < 1e-6, "the pixel (row 10, column 20, green) moved"
print(f"check passed: {tuple(batch.shape)} floats, every pixel in place")
# --8<-- [end:check]
