"""The desktop shell: one pywebview window per notebook, over the shell server and relays.

Owns the windows, the native menus and dialogs, the window list that session restore
reads, and the app's lifetime. The asyncio side (ShellServer, relays, the single-instance
socket) runs on its own thread; the GUI loop (`webview.start`) owns the main thread.
Control messages from a page arrive on the asyncio thread and name their window by the
`window` query parameter. Does not touch documents: every edit travels through the relay
to the daemon.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.logs import setup_logging
from nbdesk.daemon.wire.control import (
    Action,
    Close,
    HostRequest,
    MenuAction,
    NewWindow,
    OpenDialog,
    Ready,
    SaveAsDialog,
    SaveAsPath,
    SaveOutput,
    Title,
    ToPage,
)
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.desktop.daemon_gate import DaemonGate
from nbdesk.desktop.display import HEADLESS_HELP, display_problem
from nbdesk.desktop.exports import EXPORT_ACTIONS, chosen_path, export_with_dialog
from nbdesk.desktop.instance import AppInstance, HandOverFailed
from nbdesk.desktop.launch import LaunchError, create_notebook, plan
from nbdesk.desktop.menus import build_menus
from nbdesk.desktop.output_save import save_output
from nbdesk.desktop.recent import RecentNotebooks
from nbdesk.desktop.relay import Relay
from nbdesk.desktop.web_server import DEFAULT_WEB_DIR, ShellServer

log = logging.getLogger(__name__)
ICON = Path(__file__).resolve().parent.parent / "icons" / "png" / "nbdesk-256.png"  # Qt/GTK
QUIT_PATIENCE = 3.0  # seconds pages get to hand their last edits to the daemon on quit


def window_timeout() -> float:
    """Seconds a window's page has to open its relay before the watchdog reports it."""
    try:
        return float(os.environ.get("NBDESK_WINDOW_TIMEOUT", "30"))
    except ValueError:
        return 30.0


def notebook_path(chosen: Any) -> str | None:
    """A save dialog's answer (a str on macOS, a 1-tuple elsewhere) with `.ipynb` ensured."""
    if not chosen:
        return None
    path = chosen if isinstance(chosen, str) else chosen[0]
    return path if path.endswith(".ipynb") else path + ".ipynb"


def failure_page(message: str, log_file: Path) -> str:
    return (
        "<!doctype html><meta charset=utf-8><title>nbdesk: window failed</title>"
        "<body style='font:15px system-ui;margin:3em'><h1>This window could not start</h1>"
        f"<p data-watchdog>{html.escape(message)}</p>"
        f"<p>Details are in <code>{html.escape(str(log_file))}</code>.</p></body>"
    )


def collect_garbage_on_the_gui_thread() -> Any:
    """Qt objects must be destroyed on the GUI thread: a closed window's QWebEngineView
    freed by the garbage collector on the asyncio thread aborted the app ("Cannot make
    QOpenGLContext current in a different thread") after a few Ctrl-N / Ctrl-W rounds.
    So automatic collection is off and a timer on the GUI thread collects instead.
    Returns the timer (keep it), or None off the Qt backend."""
    if not sys.platform.startswith("linux"):
        return None
    import gc

    import qtpy.QtWebEngineWidgets  # noqa: F401  (must come before the QApplication)
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv)
    gc.disable()
    timer = QTimer()
    timer.timeout.connect(gc.collect)
    timer.start(1000)
    return timer


class Shell:
    def __init__(self, home: Home, web_dir: Path = DEFAULT_WEB_DIR) -> None:
        self.home = home
        self.loop = asyncio.new_event_loop()
        self.gate = DaemonGate(home)
        self.server = ShellServer(home, web_dir, on_control=self._on_control, daemon_gate=self.gate)
        self.instance = AppInstance(home)
        self.windows: dict[str, Any] = {}
        self.notebooks: dict[str, dict[str, str]] = {}
        self.opened_at: dict[str, float] = {}
        self.recent = RecentNotebooks(home)
        self._quitting = False

    @property
    def session_file(self) -> Path:
        return self.home.root / "session.json"

    @property
    def log_file(self) -> Path:
        return self.home.root / "logs" / "app.log"

    def start_services(self) -> None:
        """The daemon start (on its own thread), the shell server and the instance socket."""
        self.gate.start()
        threading.Thread(target=self.loop.run_forever, name="nbdesk-shell-io", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=30)
        asyncio.run_coroutine_threadsafe(self.instance.serve(self._handed_over), self.loop).result(
            timeout=30
        )

    # -- windows ----------------------------------------------------------------------

    def open_window(self, **handshake: str) -> Any:
        """A window on `open=<path>`, `join=<id>` or `create=1`."""
        import webview

        key = uuid.uuid4().hex[:8]
        query = {**handshake, "window": key}
        if "create" in handshake:
            query["first_cell"] = "1"  # a new notebook starts with an empty code cell
        if "open" in handshake:
            self._remember(handshake["open"])
        window = webview.create_window(
            "nbdesk",
            self.server.page_url(**query),
            width=1200,
            height=760,
            menu=self._menus(),
        )
        if window is None:
            raise RuntimeError("pywebview did not create a window")
        self.windows[key] = window
        self.notebooks[key] = dict(handshake)
        self.opened_at[key] = time.time()
        window.events.closed += lambda: self._closed(key)
        timer = threading.Timer(window_timeout(), self._watchdog, args=(key,))
        timer.daemon = True
        timer.start()
        self.save_session()
        return window

    def _menus(self) -> list[Any]:
        """The menu bar of a window about to open, with the recent notebooks as of now."""
        try:
            recent = self.recent.entries()
        except OSError as exc:
            log.error("cannot read the recent notebooks (%s): Open Recent is empty", exc)
            recent = []
        return build_menus(self._menu_action, recent, self._open_recent)

    def _remember(self, path: str) -> None:
        try:
            self.recent.add(path)
        except OSError as exc:
            log.error("cannot add %s to the recent notebooks: %s", path, exc)

    def _open_recent(self, path: Path) -> None:
        """File → Open Recent (on the menu item's own thread). A notebook deleted since the
        window opened is taken off the list, and the user told why nothing opened."""
        import webview

        if path.is_file():
            self.open_window(open=str(path))
            return
        log.warning("recent notebook %s is gone; removed from Open Recent", path)
        self.recent.remove(path)
        active = webview.active_window()
        if active is not None:
            active.create_confirmation_dialog(
                "Notebook not found",
                f"{path} no longer exists (moved or deleted). It is removed from Open Recent;"
                " use File → Open… to find it.",
            )

    def _watchdog(self, key: str) -> None:
        """A page that never opened its relay is a dead renderer: say so in the window."""
        window = self.windows.get(key)
        if window is None or key in self.server.windows_seen:
            return
        message = f"The notebook page did not load within {window_timeout():g} seconds."
        log.error("window %s: %s", key, message)
        window.set_title("nbdesk: window failed to load")
        window.load_html(failure_page(message, self.log_file))

    def _closed(self, key: str) -> None:
        self.windows.pop(key, None)
        if not self._quitting:
            self.notebooks.pop(key, None)
            self.save_session()

    def _handed_over(self, paths: list[str]) -> None:
        """Another launch's paths (asyncio thread); none means a new notebook."""
        if not paths:
            self.open_window(create="1")
        for path in paths:
            self.open_window(open=path)

    def save_session(self) -> None:
        entries = list(self.notebooks.values())
        data = (json.dumps({"windows": entries}, indent=1) + "\n").encode()
        atomic_write(self.session_file, data, private=True)

    def restore_session(self) -> list[dict[str, str]]:
        try:
            entries = json.loads(self.session_file.read_text()).get("windows", [])
        except (OSError, ValueError, AttributeError):
            return []
        return [e for e in entries if isinstance(e, dict) and len(e) == 1]

    # -- control messages from pages (asyncio thread) ---------------------------------------

    def _on_control(self, relay: Relay, message: HostRequest) -> None:
        key = relay.window or ""
        window = self.windows.get(key)
        joined = {"join": relay.notebook_id} if relay.notebook_id else None
        if key in self.notebooks and joined and self.notebooks[key] != joined:
            self.notebooks[key] = joined  # written once, not on every control message
            self.save_session()
        if isinstance(message, NewWindow):
            self.open_window(create="1")
        elif isinstance(message, OpenDialog):
            threading.Thread(target=self._open_dialog, args=(window,), daemon=True).start()
        elif isinstance(message, SaveAsDialog) and window is not None:
            threading.Thread(target=self._save_as_dialog, args=(window, relay), daemon=True).start()
        elif isinstance(message, Title) and window is not None:
            window.set_title(message.title)
        elif isinstance(message, Ready) and key in self.opened_at:
            elapsed = time.time() - self.opened_at.pop(key)
            log.info(
                "window %s ready at %.6f (%.0f ms after it opened, %s ms after its page started)",
                key,
                time.time(),
                elapsed * 1e3,
                message.page_ms,
            )
        elif isinstance(message, Close) and window is not None:
            window.destroy()
        elif isinstance(message, SaveOutput) and window is not None:
            args = (window, relay, message)
            threading.Thread(target=self._save_output, args=args, daemon=True).start()

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
            self._remember(path)
            self.loop.call_soon_threadsafe(relay.send_control, SaveAsPath(path=path))

    def _save_output(self, window: Any, relay: Relay, message: SaveOutput) -> None:
        """An output's "Save as file…": the save dialog, then the file; a failure is shown
        in a dialog and logged."""
        import webview

        reply = relay.reply
        folder = str(Path(reply.path).parent) if reply is not None and reply.path else ""
        target = chosen_path(
            window.create_file_dialog(
                webview.FileDialog.SAVE, directory=folder, save_filename=message.suggested_name
            )
        )
        if target is None:
            return
        try:
            save_output(reply.blob_url if reply is not None else None, message, target)
        except (NbdeskError, OSError) as exc:
            log.error("saving an output to %s failed: %s", target, exc)
            window.create_confirmation_dialog("Save failed", str(exc))
            return
        log.info("saved an output to %s", target)

    # -- menus (each item runs on a thread of its own) ----------------------------------

    def _menu_action(self, action: str) -> None:
        import webview

        if action == "new-window":
            self.open_window(create="1")
        elif action == "quit":
            self.quit()
        else:
            active = webview.active_window()
            key = next((k for k, w in self.windows.items() if w is active), None)
            if key is not None and action in EXPORT_ACTIONS:
                self._export(key, EXPORT_ACTIONS[action])
            elif key is not None:
                self._tell_window(key, MenuAction(action=Action(action)))

    def _export(self, key: str, fmt: str) -> None:
        """File → Export (on the menu item's own thread): a save dialog, then the export of
        the daemon's document; a failure is shown in a dialog and logged."""
        import webview

        window = self.windows.get(key)
        notebook_id = next(
            (r.notebook_id for r in self.server.relays if r.window == key and r.notebook_id), None
        )
        if window is None or notebook_id is None:
            return

        def ask(folder: str, name: str) -> object:
            return window.create_file_dialog(
                webview.FileDialog.SAVE, directory=folder, save_filename=name
            )

        try:
            written = asyncio.run(export_with_dialog(self.home, notebook_id, fmt, ask))
        except (NbdeskError, OSError) as exc:
            log.error("export of %s as %s failed: %s", notebook_id, fmt, exc)
            window.create_confirmation_dialog("Export failed", str(exc))
            return
        if written is not None:
            log.info("exported %s as %s to %s", notebook_id, fmt, written)

    def _tell_window(self, key: str, message: ToPage) -> None:
        def send() -> None:
            for relay in self.server.relays:
                if relay.window == key:
                    relay.send_control(message)

        self.loop.call_soon_threadsafe(send)

    def quit(self) -> None:
        """Ask every page to close (each first hands its edits to the daemon), then close
        whatever window is left after a short wait."""
        self._quitting = True
        self.save_session()
        for key in list(self.windows):
            self._tell_window(key, MenuAction(action=Action.CLOSE))
        deadline = time.monotonic() + QUIT_PATIENCE
        while self.windows and time.monotonic() < deadline:
            time.sleep(0.05)
        for window in list(self.windows.values()):
            window.destroy()

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
        collector = collect_garbage_on_the_gui_thread()
        webview.start(
            gui="qt" if sys.platform.startswith("linux") else None,
            menu=self._menus(),
            icon=str(ICON) if ICON.exists() else None,
        )
        del collector
        self._quitting = True
        self.save_session()
        self.close_services()
        return 0

    def close_services(self) -> None:
        async def close() -> None:
            await self.instance.close()
            await self.server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.instance.release()


def main(argv: list[str]) -> int:
    try:
        launch = plan(argv)
    except LaunchError as exc:
        print(f"nbdesk: {exc}", file=sys.stderr)
        return 2
    problem = display_problem()
    if problem is not None:
        print(f"nbdesk: {problem}.\n{HEADLESS_HELP}", file=sys.stderr)
        return 1
    try:
        for path in launch.to_create:
            create_notebook(path)
    except LaunchError as exc:
        print(f"nbdesk: {exc}", file=sys.stderr)
        return 1
    paths = [str(path) for path in launch.paths]
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    home = Home.from_env()
    web_dir = Path(os.environ.get("NBDESK_WEB_DIR") or DEFAULT_WEB_DIR)
    shell = Shell(home, web_dir)
    setup_logging(shell.log_file, to_stderr=True)
    if not shell.instance.claim():
        try:
            shell.instance.hand_over(paths)
        except HandOverFailed as exc:
            print(f"nbdesk: {exc.message}", file=sys.stderr)
            return 1
        print("nbdesk is already running; it opened the window there.")
        return 0
    code = shell.run(paths)
    # pywebview's Qt backend can hang at exit when a window closed mid-call; all state is
    # saved by now, so leave without waiting on it.
    logging.shutdown()
    sys.stdout.flush()
    os._exit(code)
