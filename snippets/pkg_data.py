"""torch.utils.data: a Dataset says what sample i is; a DataLoader makes shuffled batches of them."""

import torch
from torch.utils.data import DataLoader, Dataset


class Squares(Dataset):
    """Sample i is the pair (i, i²): a Dataset needs only __len__ and __getitem__."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return torch.tensor(float(i)), torch.tensor(float(i * i))


loader = DataLoader(Squares(), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
for x, y in loader:
    print("batch x:", x.tolist(), " y:", y.tolist())
