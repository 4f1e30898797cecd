"""Exponential backoff for steps retried until they work (pool builds, hot kernels, the
relay's reconnect): one rule, so every retry loop in nbdesk spaces itself the same way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    first: float
    most: float
    failures: int = 0

    @property
    def delay(self) -> float:
        """The wait before the next try: `first` after one failure, doubling up to `most`."""
        return min(self.first * 2 ** max(self.failures - 1, 0), self.most)

    def failed(self) -> float:
        """Count a failure; the delay to wait before retrying."""
        self.failures += 1
        return self.delay

    def succeeded(self) -> None:
        self.failures = 0
