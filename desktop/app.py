"""The desktop shell: one pywebview window per notebook, over the shell server and relays.

Owns the windows, the native dialogs, the window list that session restore reads, and
the app's lifetime. The asyncio side (ShellServer, relays) runs on its own thread; the
GUI loop (`webview.start`) owns the main thread. Control messages from a page arrive on
the asyncio thread and name their window by the `window` query parameter. Does not touch
documents: every edit travels through the relay to the daemon.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from daemon import cli as daemon_cli
from daemon.home import Home
from desktop.relay import Relay
from desktop.web_server import ShellServer

log = logging.getLogger(__name__)
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"


def notebook_path(chosen: Any) -> str | None:
    """A save dialog's answer (a str on macOS, a 1-tuple elsewhere) with `.ipynb` ensured."""
    if not chosen:
        return None
    path = chosen if isinstance(chosen, str) else chosen[0]
    return path if path.endswith(".ipynb") else path + ".ipynb"


class Shell:
    def __init__(self, home: Home, web_dir: Path = WEB_DIST) -> None:
        self.home = home
        self.loop = asyncio.new_event_loop()
        self.server = ShellServer(home, web_dir, on_control=self._on_control)
        self.windows: dict[str, Any] = {}
        self.notebooks: dict[str, dict[str, str]] = {}
        self._quitting = False

    @property
    def session_file(self) -> Path:
        return self.home.root / "session.json"

    def start_services(self) -> None:
        daemon_cli.start(self.home)
        threading.Thread(target=self.loop.run_forever, name="nbdesk-shell-io", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=30)

    def open_window(self, **handshake: str) -> Any:
        """A window on `open=<path>`, `join=<id>` or `create=1`."""
        import webview

        key = uuid.uuid4().hex[:8]
        window = webview.create_window(
            "nbdesk", self.server.page_url(**handshake, window=key), width=1100, height=800
        )
        if window is None:
            raise RuntimeError("pywebview did not create a window")
        self.windows[key] = window
        self.notebooks[key] = dict(handshake)
        window.events.closed += lambda: self._closed(key)
        self.save_session()
        return window

    def _closed(self, key: str) -> None:
        self.windows.pop(key, None)
        if not self._quitting:
            self.notebooks.pop(key, None)
            self.save_session()

    def save_session(self) -> None:
        entries = list(self.notebooks.values())
        self.session_file.write_text(json.dumps({"windows": entries}, indent=1) + "\n")

    def restore_session(self) -> list[dict[str, str]]:
        try:
            entries = json.loads(self.session_file.read_text()).get("windows", [])
        except (OSError, ValueError, AttributeError):
            return []
        return [e for e in entries if isinstance(e, dict) and len(e) == 1]

    # -- control messages from pages (asyncio thread) ---------------------------------------

    def _on_control(self, relay: Relay, message: dict[str, Any]) -> None:
        kind = message.get("type")
        window = self.windows.get(relay.window or "")
        if relay.window in self.notebooks and relay.notebook_id:
            self.notebooks[relay.window] = {"join": relay.notebook_id}
            self.save_session()
        if kind == "new_window":
            self.open_window(create="1")
        elif kind == "open_dialog":
            threading.Thread(target=self._open_dialog, args=(window,), daemon=True).start()
        elif kind == "save_as_dialog" and window is not None:
            threading.Thread(target=self._save_as_dialog, args=(window, relay), daemon=True).start()
        elif kind == "title" and window is not None:
            window.set_title(str(message.get("title", "nbdesk")))
        elif kind == "close" and window is not None:
            window.destroy()

    def _open_dialog(self, window: Any) -> None:
        import webview

        if window is None:
            return
        chosen = window.create_file_dialog(
            webview.FileDialog.OPEN, allow_multiple=True, file_types=("Notebooks (*.ipynb)",)
        )
        for path in chosen or ():
            self.open_window(open=str(Path(path).resolve()))

    def _save_as_dialog(self, window: Any, relay: Relay) -> None:
        import webview

        path = notebook_path(
            window.create_file_dialog(webview.FileDialog.SAVE, save_filename="Untitled.ipynb")
        )
        if path is not None:
            self.loop.call_soon_threadsafe(
                relay.send_control, {"type": "save_as_path", "path": path}
            )

    # -- lifetime ---------------------------------------------------------------------

    def run(self, paths: list[str]) -> int:
        import webview

        self.start_services()
        if paths:
            for path in paths:
                self.open_window(open=str(Path(path).resolve()))
        else:
            restored = self.restore_session()
            for entry in restored:
                self.open_window(**entry)
            if not restored:
                self.open_window(create="1")
        webview.start(gui="qt" if sys.platform.startswith("linux") else None)
        self._quitting = True
        self.save_session()
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(timeout=10)
        return 0


def main(paths: list[str]) -> int:
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    code = Shell(Home.from_env()).run(paths)
    # pywebview's Qt backend can hang at exit when a window closed mid-call; all state is
    # saved by now, so leave without waiting on it.
    sys.stdout.flush()
    os._exit(code)
