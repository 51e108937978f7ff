"""`%timeit` and `%time`, run through IPython: how long does a convolution take on this machine?"""
# output: varies

import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

config = Config()
config.HistoryManager.hist_file = ":memory:"
config.InteractiveShell.colors = "nocolor"
shell = InteractiveShell.instance(config=config)

shell.user_ns.update(torch=torch, x=torch.randn(64, 1, 28, 28), w=torch.randn(16, 1, 3, 3))
for line in [
    "%timeit torch.nn.functional.conv2d(x, w, padding=1)",   # many runs: mean and spread
    "%time y = torch.nn.functional.conv2d(x, w, padding=1)",  # one run: wall and CPU time
]:
    print("In:", line)
    shell.run_cell(line)
