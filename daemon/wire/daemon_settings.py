"""The daemon's settings a user may change from the settings page (a wire type shared
by the preferences reply, the request that changes them and the broadcast that shows a
change in every window). Each was only an environment variable before; the variable is
still the default when the user has not chosen a value (`home.daemon_preferences`)."""

from __future__ import annotations

import msgspec

# Inclusive bounds: a day of keep-alive, and pools no laptop would regret.
KEEP_ALIVE_MAX = 24 * 3600.0
POOL_MAX = 8
HOT_KERNELS_MAX = 4
DEFAULT_PACKAGES_MAX = 50


class DaemonSettings(msgspec.Struct, kw_only=True):
    keep_alive: float
    """Seconds a notebook nobody has open stays loaded (its kernel running)."""
    pool_uv: int
    """uv environments kept ready for new notebooks."""
    pool_conda: int
    """conda environments kept ready."""
    hot_kernels: int
    """Kernels kept started, so a new notebook runs its first cell at once."""
    default_packages: list[str]
    """Packages every new environment gets (requirements, such as `numpy>=2`)."""
