"""Two notes close together

difficulty: medium
kind: code

The signal holds two steady tones only 60 Hz apart, at 1,000 and 1,060 Hz. With the starter's
window of 64 samples the spectrogram shows one blurred peak. Choose `n_fft` so that the
time-averaged spectrum shows two separate peaks.

Answer:
Frequency bins are `rate / n_fft` Hz wide: 125 Hz for 64 samples, far wider than the 60 Hz gap.
With 128 samples (62.5 Hz bins) they still merge; from `n_fft=256` (31 Hz bins, 32 ms windows)
on they fall in separate bins and show as two peaks, and 512 (15.6 Hz) separates them more
clearly. The price of a long window is time resolution: a change shorter than the window is smeared over it. That is the
trade-off the page mentions; speech models use windows of about 25 ms.
"""

# --8<-- [start:starter]
import math

import torch

rate = 8000
t = torch.arange(0, 1.0, 1 / rate)
signal = torch.sin(2 * math.pi * 1000 * t) + torch.sin(2 * math.pi * 1060 * t)

n_fft = 64  # TODO: a window long enough to tell 1,000 Hz from 1,060 Hz
spectrum = torch.stft(signal, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True).abs().mean(dim=1)
strong = spectrum > spectrum.max() / 2
inner = spectrum[1:-1]
peaks = ((inner > spectrum[:-2]) & (inner >= spectrum[2:]) & strong[1:-1]).nonzero().flatten() + 1
print(f"n_fft={n_fft}: peaks at", [round(k * rate / n_fft) for k in peaks.tolist()], "Hz")
# --8<-- [end:starter]

# --8<-- [start:solution]
import math

import torch

rate = 8000
t = torch.arange(0, 1.0, 1 / rate)
signal = torch.sin(2 * math.pi * 1000 * t) + torch.sin(2 * math.pi * 1060 * t)

n_fft = 512  # bins of 15.6 Hz: the 60 Hz gap spans almost four of them
spectrum = torch.stft(signal, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True).abs().mean(dim=1)
strong = spectrum > spectrum.max() / 2
inner = spectrum[1:-1]
peaks = ((inner > spectrum[:-2]) & (inner >= spectrum[2:]) & strong[1:-1]).nonzero().flatten() + 1
print(f"n_fft={n_fft}: peaks at", [round(k * rate / n_fft) for k in peaks.tolist()], "Hz")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(peaks) == 2, f"{len(peaks)} peak(s): the two tones are not separated yet"
print("check passed: two separate peaks")
# --8<-- [end:check]
