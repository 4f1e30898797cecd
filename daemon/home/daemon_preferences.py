"""The daemon's settings the user chose in the settings page, kept in preferences.json
beside the display settings (`preferences`): keep-alive, pool sizes, hot kernels and the
default packages. A chosen value wins over its environment variable, which wins over the
built-in default (`config.Settings.from_env`).

What it does not own: checking that the default packages are requirements uv accepts
(that lives in `doc.requirements`, a layer above; the room handler checks before storing)
and applying a change to the running daemon (the registry does).
"""

from __future__ import annotations

import dataclasses
import logging

import msgspec

from nbdesk.daemon.home.config import Home, Settings
from nbdesk.daemon.home.preferences import (
    PreferencesError,
    preferences_file,
    read_preferences,
    write_entry,
)
from nbdesk.daemon.wire.daemon_settings import (
    DEFAULT_PACKAGES_MAX,
    HOT_KERNELS_MAX,
    KEEP_ALIVE_MAX,
    POOL_MAX,
    DaemonSettings,
)

log = logging.getLogger(__name__)

KEY = "daemon"


def of_settings(settings: Settings) -> DaemonSettings:
    """The part of the daemon's `Settings` a user may change."""
    return DaemonSettings(
        keep_alive=settings.keep_alive,
        pool_uv=settings.pool_uv,
        pool_conda=settings.pool_conda,
        hot_kernels=settings.hot_kernels,
        default_packages=list(settings.default_packages),
    )


def _count(value: int, what: str, most: int) -> None:
    if not 0 <= value <= most:
        raise PreferencesError(f"{what} {value} is out of range: choose from 0 to {most}")


def check_daemon_settings(chosen: DaemonSettings) -> DaemonSettings:
    """`chosen` if the daemon can use it; else an error that says what would work."""
    if not 0 <= chosen.keep_alive <= KEEP_ALIVE_MAX:
        raise PreferencesError(
            f"keep-alive {chosen.keep_alive:g} s is out of range: choose from 0 to "
            f"{KEEP_ALIVE_MAX:g} seconds (0 unloads a notebook as soon as its last window closes)"
        )
    _count(chosen.pool_uv, "the uv pool size", POOL_MAX)
    _count(chosen.pool_conda, "the conda pool size", POOL_MAX)
    _count(chosen.hot_kernels, "the number of hot kernels", HOT_KERNELS_MAX)
    if len(chosen.default_packages) > DEFAULT_PACKAGES_MAX:
        raise PreferencesError(
            f"{len(chosen.default_packages)} default packages is too many: list at most "
            f"{DEFAULT_PACKAGES_MAX}, and add the others to the notebooks that need them"
        )
    return chosen


def stored_daemon_settings(home: Home, base: Settings) -> DaemonSettings:
    """What the user chose, over `base` (the environment's) for what they did not."""
    path = preferences_file(home)
    stored = read_preferences(path).get(KEY, {})
    if not isinstance(stored, dict):
        raise PreferencesError(f'cannot read {path}: "{KEY}" is not an object; fix it or remove it')
    merged = {**msgspec.to_builtins(of_settings(base)), **stored}
    try:
        return check_daemon_settings(msgspec.convert(merged, DaemonSettings))
    except (msgspec.ValidationError, PreferencesError) as exc:
        raise PreferencesError(
            f'cannot read {path}: "{KEY}": {exc}; fix it or remove it '
            "(the environment variables and defaults apply meanwhile)"
        ) from exc


def set_daemon_settings(home: Home, chosen: DaemonSettings) -> DaemonSettings:
    """Store `chosen` for the daemon's next start (and the page's next look)."""
    check_daemon_settings(chosen)
    write_entry(home, KEY, msgspec.to_builtins(chosen))
    return chosen


def with_preferences(home: Home, settings: Settings) -> Settings:
    """`settings` with the user's choices applied: the daemon starts with these. A file
    it cannot read costs the choices, not the start: logged, the environment's kept."""
    try:
        chosen = stored_daemon_settings(home, settings)
    except PreferencesError as exc:
        log.warning("daemon settings from the environment: %s", exc.message)
        return settings
    return dataclasses.replace(
        settings,
        keep_alive=chosen.keep_alive,
        pool_uv=chosen.pool_uv,
        pool_conda=chosen.pool_conda,
        hot_kernels=chosen.hot_kernels,
        default_packages=tuple(chosen.default_packages),
    )
