"""What PyTorch did you get? Run this after installing."""

import torch

print("torch", torch.__version__)
print("built with CUDA:", torch.version.cuda or "no (a CPU-only build)")
print("CUDA GPU usable:", torch.cuda.is_available())
if torch.cuda.is_available():
    for i in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(i)
        print(f"  cuda:{i} {props.name}, {props.total_memory / 2**30:.0f} GiB, compute capability {props.major}.{props.minor}")
    print("  bfloat16 supported:", torch.cuda.is_bf16_supported())
print("Apple MPS usable:", torch.backends.mps.is_available())
print("CPU threads:", torch.get_num_threads())
