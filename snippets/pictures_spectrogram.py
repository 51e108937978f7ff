"""A sound as a picture: the spectrogram of a signal made here, with torch.stft."""

import math

import matplotlib.pyplot as plt
import torch

rate = 8000                                   # samples per second
t = torch.arange(0, 2.0, 1 / rate)            # two seconds
chirp = torch.sin(2 * math.pi * (200 * t + 400 * t**2))          # pitch rising from 200 to 1,800 Hz
tone = torch.sin(2 * math.pi * 3000 * t) * ((t > 0.5) & (t < 1.0))  # a 3 kHz beep from 0.5 s to 1.0 s
torch.manual_seed(0)
signal = chirp + tone + 0.3 * torch.randn_like(t)                # and some hiss

n_fft, hop = 256, 64                          # 32 ms windows, a new one every 8 ms
spec = torch.stft(signal, n_fft=n_fft, hop_length=hop, window=torch.hann_window(n_fft), return_complex=True)
power_db = 10 * torch.log10(spec.abs() ** 2 + 1e-10)            # loudness in decibels
print("signal:", tuple(signal.shape), "samples")
print("spectrogram:", tuple(power_db.shape), "= frequency bins x time frames")
print(f"each bin is {rate / n_fft:.1f} Hz wide, each frame {1000 * hop / rate:.0f} ms after the last")

frames_at_0_75_s = int(0.75 * rate / hop)
peak_bin = power_db[:, frames_at_0_75_s].argmax().item()
print(f"loudest frequency at 0.75 s: {peak_bin * rate / n_fft:.0f} Hz")  # the beep

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.5))
top.plot(t[:2000], signal[:2000], linewidth=0.5)
top.set_title("The signal (first quarter second): hard to read")
top.set_xlabel("time (s)")
image = bottom.imshow(power_db, origin="lower", aspect="auto", cmap="magma",
                      extent=(0, len(t) / rate, 0, rate / 2))
bottom.set_title("Its spectrogram: the rising chirp and the beep are plain to see")
bottom.set_xlabel("time (s)")
bottom.set_ylabel("frequency (Hz)")
fig.colorbar(image, ax=bottom, label="power (dB)")
fig.tight_layout()
plt.show()
