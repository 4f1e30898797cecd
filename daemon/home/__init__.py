"""The daemon's place on this machine: its home folder and settings, atomic file writes, logging, and how a frozen app runs its own parts."""
