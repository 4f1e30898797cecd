"""`nbdesk mcp` driven by the `mcp` SDK's own stdio client, against a real daemon and
kernel, while a browser page on the same notebook shows every edit live (and the agent
sees the page's typing). Bad calls come back as MCP tool errors; the server lives on.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, ImageContent, TextContent
from playwright.async_api import Browser, Page, expect

from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

PLOT = (
    "import io\nfrom PIL import Image\nfrom IPython.display import display, Image as Png\n"
    "buf = io.BytesIO(); Image.new('RGB', (32, 24), 'teal').save(buf, 'PNG')\n"
    "display(Png(buf.getvalue()))"
)
TOOLS = {
    "list_notebooks",
    "open_notebook",
    "create_notebook",
    "read_cells",
    "insert_cell",
    "edit_cell",
    "move_cell",
    "delete_cell",
    "run_cells",
    "interrupt_kernel",
    "restart_kernel",
    "read_dependencies",
}


def write_notebook(path: Path, *cells: nbformat.NotebookNode, **metadata: object) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata.update(metadata)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


def nbdesk_mcp(daemon: DaemonProcess) -> Client:
    """`nbdesk mcp` as an assistant starts it; entered in the test's own task (anyio's
    cancel scopes must close in the task that opened them, which a fixture does not do)."""
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "nbdesk.cli", "mcp"], env=dict(daemon.env)
    )
    return Client(server, read_timeout_seconds=120)


async def call(agent: Client, tool: str, **arguments: object) -> CallToolResult:
    result = await agent.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {texts(result)}"
    return result


def texts(result: CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


async def refused(agent: Client, tool: str, **arguments: object) -> str:
    result = await agent.call_tool(tool, arguments)
    assert result.is_error, f"{tool} should have failed: {texts(result)}"
    return texts(result)


async def open_page(browser: Browser, shell: ShellServer, path: Path) -> Page:
    page = await browser.new_page()
    await page.goto(shell.page_url(open=str(path)))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    await expect(page.locator("[data-loading]")).to_have_count(0, timeout=20_000)
    return page


async def test_an_agent_edits_and_runs_a_notebook_a_page_shows_live(
    daemon: DaemonProcess, shell: ShellServer, browser: Browser, tmp_path: Path
) -> None:
    async with nbdesk_mcp(daemon) as agent:
        tools = {tool.name for tool in (await agent.list_tools()).tools}
        assert tools >= TOOLS, TOOLS - tools
        path = write_notebook(tmp_path / "shared.ipynb", nbformat.v4.new_markdown_cell("# Shared"))
        page = await open_page(browser, shell, path)
        cells = page.locator(".cell")
        await expect(cells).to_have_count(1)

        listed = json.loads(texts(await call(agent, "list_notebooks")))
        (entry,) = [n for n in listed if n["path"] == str(path)]
        nb = entry["notebook_id"]
        opened = json.loads(texts(await call(agent, "open_notebook", path=str(path))))
        assert opened["notebook_id"] == nb  # the page's room, not a copy

        # The agent writes and runs a cell: the page shows both as they happen.
        cell = texts(
            await call(agent, "insert_cell", notebook_id=nb, source="x = 6 * 7\nprint('answer', x)")
        )
        await expect(cells).to_have_count(2)
        await expect(cells.nth(1).locator(".cm-content")).to_contain_text("print('answer', x)")
        ran = await call(agent, "run_cells", notebook_id=nb, cell_ids=[cell])
        assert "ok [1]" in texts(ran) and "answer 42" in texts(ran)
        await expect(cells.nth(1).locator(".output[data-output-type=stream]")).to_contain_text(
            "answer 42"
        )

        # A plot comes back to the agent as an image.
        plot = texts(await call(agent, "insert_cell", notebook_id=nb, source=PLOT))
        images = [
            c
            for c in (await call(agent, "run_cells", notebook_id=nb, cell_ids=[plot])).content
            if isinstance(c, ImageContent)
        ]
        assert [i.mime_type for i in images] == ["image/png"]
        assert base64.b64decode(images[0].data).startswith(b"\x89PNG\r\n\x1a\n")
        await expect(cells.nth(2).locator("img.image-output")).to_have_count(1)

        # Edit, move and delete are live too.
        await call(
            agent, "edit_cell", notebook_id=nb, cell_id=cell, source="x = 6 * 7\nprint('edited', x)"
        )
        await expect(cells.nth(1).locator(".cm-content")).to_contain_text("print('edited', x)")
        await call(agent, "move_cell", notebook_id=nb, cell_id=plot, index=0)
        await expect(cells.nth(0).locator(".cm-content")).to_contain_text("from PIL import Image")
        await call(agent, "delete_cell", notebook_id=nb, cell_id=plot)
        await expect(cells).to_have_count(2)

        # The user types in the page; the agent reads it.
        editor = cells.nth(1).locator(".cm-content")
        await editor.click()
        await page.keyboard.press("Control+End")
        await page.keyboard.type("  # typed by the user")
        async with asyncio.timeout(20):
            while "# typed by the user" not in texts(
                await call(agent, "read_cells", notebook_id=nb)
            ):
                await asyncio.sleep(0.1)
        read = texts(await call(agent, "read_cells", notebook_id=nb, start=1, end=2))
        assert read.startswith(f"cell 1 id={cell} code [1]") and "answer 42" in read

        # Interrupt a long cell from another call; restart forgets the variables.
        sleeper = texts(
            await call(agent, "insert_cell", notebook_id=nb, source="import time\ntime.sleep(120)")
        )
        running = asyncio.create_task(
            agent.call_tool("run_cells", {"notebook_id": nb, "cell_ids": [sleeper]})
        )
        await expect(page.locator("[data-kernel-status]")).to_have_text("busy", timeout=20_000)
        await call(agent, "interrupt_kernel", notebook_id=nb)
        interrupted = await asyncio.wait_for(running, 30)
        assert "KeyboardInterrupt" in texts(interrupted) and "error" in texts(interrupted)
        await call(agent, "restart_kernel", notebook_id=nb)
        after = texts(await call(agent, "run_cells", notebook_id=nb, cell_ids=[cell]))
        assert "answer 42" not in after and "edited 42" in after  # the edited source ran afresh
        await page.close()


async def test_dependencies_are_read_not_approved(daemon: DaemonProcess, tmp_path: Path) -> None:
    async with nbdesk_mcp(daemon) as agent:
        path = write_notebook(
            tmp_path / "deps.ipynb",
            nbformat.v4.new_code_cell("import requests"),
            nbdesk={"uv": {"dependencies": ["requests>=2", "rich"]}},
        )
        nb = json.loads(texts(await call(agent, "open_notebook", path=str(path))))["notebook_id"]
        assert json.loads(texts(await call(agent, "read_dependencies", notebook_id=nb))) == [
            "requests>=2",
            "rich",
        ]
        tools = {tool.name for tool in (await agent.list_tools()).tools}
        assert not {t for t in tools if "trust" in t or "approve" in t}


async def test_bad_calls_are_tool_errors_and_the_server_lives_on(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    async with nbdesk_mcp(daemon) as agent:
        created = json.loads(texts(await call(agent, "create_notebook", folder=str(tmp_path))))
        nb = created["notebook_id"]
        assert "no notebook 0000" in await refused(agent, "read_cells", notebook_id="0000-nope")
        assert "no cell nope" in await refused(
            agent, "edit_cell", notebook_id=nb, cell_id="nope", source="x"
        )
        assert "not one of code, markdown, raw" in await refused(
            agent, "insert_cell", notebook_id=nb, source="", cell_type="bogus"
        )
        assert "outside the notebook" in await refused(
            agent, "insert_cell", notebook_id=nb, source="", index=99
        )
        assert "no notebook file at" in await refused(
            agent, "open_notebook", path=str(tmp_path / "none.ipynb")
        )
        assert "no folder at" in await refused(
            agent, "create_notebook", folder=str(tmp_path / "none")
        )
        markdown = texts(
            await call(agent, "insert_cell", notebook_id=nb, source="# title", cell_type="markdown")
        )
        assert "not a code cell" in await refused(
            agent, "run_cells", notebook_id=nb, cell_ids=[markdown]
        )
        daemon.stop()
        assert "daemon" in await refused(agent, "list_notebooks")
        assert "daemon" in await refused(agent, "read_cells", notebook_id=nb)
