"""Asking for a GPU that isn't there: the error says why, and what to do."""

from dlnotes import select_device

print("auto picks:", select_device("auto"))
try:
    select_device("cuda")
except RuntimeError as e:
    print("RuntimeError:", e)
