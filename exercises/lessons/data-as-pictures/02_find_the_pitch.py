"""Find the pitch

difficulty: medium
kind: code

The starter makes half a second of a whistle at some pitch, with noise, and computes its
spectrogram. Fill in `pitch`: the frequency, in Hz, of the loudest frequency bin, averaged over
time. The check compares it with the true pitch, to within one bin.

Answer:
Average the power over the time frames (`power.mean(dim=1)`), take the index of the largest bin
(`argmax`) and convert it to Hz: bin `k` is centred on `k * rate / n_fft`. The answer is only as
precise as a bin is wide, `rate / n_fft` Hz: a longer window would pin it down more finely.
"""

# --8<-- [start:starter]
import math

import torch

rate, n_fft = 8000, 256
true_pitch = 1234.0
t = torch.arange(0, 0.5, 1 / rate)
torch.manual_seed(0)
signal = torch.sin(2 * math.pi * true_pitch * t) + 0.5 * torch.randn_like(t)
power = torch.stft(signal, n_fft, 64, window=torch.hann_window(n_fft), return_complex=True).abs() ** 2

pitch = 0.0  # TODO: the frequency (Hz) of the loudest bin, after averaging the power over time
print(f"estimated pitch: {pitch:.0f} Hz (bins are {rate / n_fft:.2f} Hz wide)")
# --8<-- [end:starter]

# --8<-- [start:solution]
import math

import torch

rate, n_fft = 8000, 256
true_pitch = 1234.0
t = torch.arange(0, 0.5, 1 / rate)
torch.manual_seed(0)
signal = torch.sin(2 * math.pi * true_pitch * t) + 0.5 * torch.randn_like(t)
power = torch.stft(signal, n_fft, 64, window=torch.hann_window(n_fft), return_complex=True).abs() ** 2

loudest_bin = power.mean(dim=1).argmax().item()
pitch = loudest_bin * rate / n_fft
print(f"estimated pitch: {pitch:.0f} Hz (bins are {rate / n_fft:.2f} Hz wide)")
# --8<-- [end:solution]

# --8<-- [start:check]
assert abs(pitch - true_pitch) <= rate / n_fft, f"{pitch:.0f} Hz is more than one bin away from the true pitch"
print("check passed: the pitch is found to within one bin")
# --8<-- [end:check]
