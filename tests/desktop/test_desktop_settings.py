"""The settings page in the real app (pywebview on Qt under Xvfb): opened with its
keyboard shortcut, the theme switched to dark from the keyboard alone, and the window's
computed background read over DevTools before and after; a screenshot of each."""

from __future__ import annotations

import asyncio
import time

from conftest import DaemonProcess
from desktop_app import ARTIFACTS, App, DevTools, display, needs_desktop
from PIL import Image

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture

BACKGROUND = "getComputedStyle(document.body).backgroundColor"
# A point of the window below the dialog: the page's background behind the dialog's backdrop.
BEHIND_THE_DIALOG = (640, 725)


async def screenshot_until_dark(app: App, name: str, timeout: float = 20.0) -> None:
    """Screenshots until the screen shows the dark page (Qt paints after the style changed)."""
    deadline = time.monotonic() + timeout
    while True:
        app.screenshot(name)
        with Image.open(ARTIFACTS / f"{name}.png") as shot:
            red, green, blue = shot.convert("RGB").getpixel(BEHIND_THE_DIALOG)
        if max(red, green, blue) < 60:
            return
        assert time.monotonic() < deadline, f"the screen stayed light ({red}, {green}, {blue})"
        await asyncio.sleep(0.2)


async def test_settings_switch_the_app_to_dark(daemon: DaemonProcess, display: str) -> None:
    devtools = DevTools()
    app = App(daemon, display, **devtools.env).start()
    try:
        await devtools.wait_for(
            "document.querySelector('[data-connection]')?.textContent === 'connected'"
        )
        await devtools.wait_for("document.querySelector('.cell') !== null")
        before = await devtools.evaluate(BACKGROUND)
        assert before == "rgb(255, 255, 255)"  # Xvfb's system scheme is light
        app.screenshot("desktop-settings-light")
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("key", "--clearmodifiers", "Escape")
        app.xdotool("key", "--clearmodifiers", "ctrl+comma")
        await devtools.wait_for("document.querySelector('dialog[data-settings]').open")
        await devtools.wait_for(
            "document.activeElement === document.querySelector('[data-setting=theme]')"
        )
        # The theme list has the focus: system → light → dark, from the keyboard.
        app.xdotool("key", "--clearmodifiers", "Down")
        app.xdotool("key", "--clearmodifiers", "Down")
        await devtools.wait_for("document.documentElement.dataset.theme === 'dark'")
        await devtools.wait_for(f"{BACKGROUND} === 'rgb(27, 29, 33)'")
        await screenshot_until_dark(app, "desktop-settings-dark")
        app.xdotool("key", "--clearmodifiers", "Escape")
        await devtools.wait_for("!document.querySelector('dialog[data-settings]').open")
        # Stored for the user: the daemon has it for every window and launch.
        assert '"theme": "dark"' in (daemon.home.root / "preferences.json").read_text()
    finally:
        app.stop()
