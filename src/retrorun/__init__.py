"""retrorun: backward (retro) running, from screening to a safe plan, guided sessions and logs."""

__version__ = "0.1.0"
