"""The size of the picture

difficulty: easy
kind: predict

One second of sound at 8,000 samples per second goes through `torch.stft` with `n_fft=256` and
`hop_length=128`. Before you run it: how many frequency bins and how many time frames will the
spectrogram have? And with `n_fft=512`?

Answer:
`n_fft // 2 + 1` frequency bins (129, then 257): from 0 Hz up to half the sampling rate, the
highest frequency the samples can represent. The number of frames is `1 + samples // hop` (63),
whatever `n_fft` is, because `torch.stft` pads the signal at both ends by default
(`center=True`) so that a window is centred on every hop. Longer windows give more, finer
frequency bins, not more frames.
"""

# --8<-- [start:starter]
import torch

rate = 8000
signal = torch.randn(rate)  # one second of noise
for n_fft in (256, 512):
    spec = torch.stft(signal, n_fft=n_fft, hop_length=128, window=torch.hann_window(n_fft), return_complex=True)
    print(f"n_fft={n_fft}: {spec.shape[0]} frequency bins x {spec.shape[1]} time frames")
# --8<-- [end:starter]
