"""The real app's web view over the Chrome DevTools Protocol, for desktop tests.

QtWebEngine opens a remote debugging port when the app runs with
`QTWEBENGINE_REMOTE_DEBUGGING=127.0.0.1:<port>`, but refuses the browser-level commands
Playwright's `connect_over_cdp` starts with ("Browser context management is not
supported"). So this speaks the page-level protocol itself over one WebSocket: evaluate
JavaScript, wait for a condition in the page, and send real mouse and key input events
(Input.dispatch*), which reach the page like the user's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import aiohttp

# Modifier bits and key codes of Input.dispatchKeyEvent.
MODIFIERS = {"Alt": 1, "Control": 2, "Meta": 4, "Shift": 8}
KEYS = {
    "Enter": ("Enter", 13, "\r"),
    "Escape": ("Escape", 27, ""),
    "ArrowUp": ("ArrowUp", 38, ""),
    "ArrowDown": ("ArrowDown", 40, ""),
}


class CdpPage:
    """One page target of the app's web view."""

    def __init__(
        self, session: aiohttp.ClientSession, socket: aiohttp.ClientWebSocketResponse
    ) -> None:
        self._session = session
        self._socket = socket
        self._ids = itertools.count(1)

    @classmethod
    async def connect(cls, port: int, timeout: float = 60) -> CdpPage:
        """The first page target showing nbdesk (`#app`), once the web view listens."""
        session = aiohttp.ClientSession()
        deadline = time.monotonic() + timeout
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/json") as response:
                    targets = await response.json(content_type=None)
                for target in targets:
                    if target.get("type") == "page" and "webSocketDebuggerUrl" in target:
                        socket = await session.ws_connect(
                            target["webSocketDebuggerUrl"], max_msg_size=0
                        )
                        page = cls(session, socket)
                        if await page.evaluate("document.querySelector('#app') !== null"):
                            return page
                        await socket.close()
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                await session.close()
                raise AssertionError(f"no nbdesk page on the app's debugging port {port}")
            await asyncio.sleep(0.5)

    async def close(self) -> None:
        await self._socket.close()
        await self._session.close()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        await self._socket.send_str(
            json.dumps({"id": message_id, "method": method, "params": params})
        )
        while True:
            reply = json.loads((await self._socket.receive(timeout=60)).data)
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited)."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll until `expression` is truthy in the page; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            assert time.monotonic() < deadline, f"not reached in {timeout} s: {expression}"
            await asyncio.sleep(0.1)

    async def count(self, selector: str) -> int:
        count: int = await self.evaluate(
            f"document.querySelectorAll({json.dumps(selector)}).length"
        )
        return count

    async def text(self, selector: str) -> str:
        text: str = await self.evaluate(
            f"document.querySelector({json.dumps(selector)})?.textContent ?? ''"
        )
        return text

    async def click(self, selector: str) -> None:
        """A real left click at the middle of the first element `selector` matches."""
        await self.wait_for(f"document.querySelector({json.dumps(selector)}) !== null")
        box = await self.evaluate(
            f"""(() => {{
                const element = document.querySelector({json.dumps(selector)});
                element.scrollIntoView({{ block: "nearest" }});
                const r = element.getBoundingClientRect();
                return [r.left + Math.min(r.width / 2, 40), r.top + r.height / 2];
            }})()"""
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def press(self, combo: str) -> None:
        """A key press such as "d", "Escape", "Control+Enter", "ArrowUp"."""
        *held, key = combo.split("+")
        modifiers = sum(MODIFIERS[name] for name in held)
        name, code, text = KEYS[key] if key in KEYS else (key, ord(key.upper()), key)
        if modifiers & ~MODIFIERS["Shift"]:
            text = ""  # a shortcut types nothing
        common = {"key": name, "windowsVirtualKeyCode": code, "modifiers": modifiers}
        await self.send(
            "Input.dispatchKeyEvent", type="keyDown" if text else "rawKeyDown", text=text, **common
        )
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)
