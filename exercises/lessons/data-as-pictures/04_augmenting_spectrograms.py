"""Which augmentations keep the label?

difficulty: hard
kind: open

For photos, flipping left-right, shifting a little and changing the brightness are standard
augmentations. For the page's spectrograms of rising, falling and steady whistles, which of
these keep the label true: a left-right flip, an up-down flip, a shift along the time axis, a
shift along the frequency axis, hiding a few time frames, hiding a band of frequencies, adding
noise? Would your answers change for recordings of spoken words?

Answer:
A left-right flip plays the sound backwards: rising becomes falling, so it is wrong here (and
for speech). An up-down flip turns high pitches into low ones and rising into falling: wrong.
A shift in time keeps the label for our whistles and mostly for words. A shift in frequency
changes the pitch: harmless for whistles whose pitch is random anyway, but it changes a voice's
character and, at large shifts, a vowel. Hiding time frames or frequency bands and adding noise
keep the label and make the model rely on more than one part of the picture: that is
SpecAugment, a standard for speech recognition. Further reading: Park et al.,
[*SpecAugment*](https://arxiv.org/abs/1904.08779); torchaudio's
[`TimeMasking` and `FrequencyMasking`](https://pytorch.org/audio/stable/transforms.html).
"""
