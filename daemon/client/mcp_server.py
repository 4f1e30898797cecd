"""`nbdesk mcp`: a Model Context Protocol server on stdio, so an AI assistant works on the
notebooks the user has open, live, as a second window does.

Each tool is a thin call into `AgentNotebooks` (the client side of the work); this module
only declares the tools, turns answers into MCP content (text and images) and failures
into MCP tool errors (`ToolError`: the call fails with a message, the server goes on).
The daemon is started if none runs. There is no tool that approves dependencies: that
stays with the user (issue 12's trust rules).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ImageContent, TextContent

from nbdesk import __version__
from nbdesk.daemon.client.agent_notebooks import AgentNotebooks, ImagePart, Part
from nbdesk.daemon.client.connection import DaemonNotRunning
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import NbdeskError

INSTRUCTIONS = (
    "nbdesk notebooks, live: the user sees every edit in their window and you see theirs. "
    "list_notebooks shows what is open; cells are addressed by id (read_cells lists them). "
    "run_cells waits for the results. Dependencies can be read; only the user approves them."
)

P = ParamSpec("P")
T = TypeVar("T")
Content = list[TextContent | ImageContent]


def tool_errors(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """What nbdesk refuses (a missing cell, a daemon gone, a timeout) reaches the agent as
    the tool's error message, never as a crash of the server."""

    @wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except DaemonNotRunning as exc:
            raise ToolError(f"the nbdesk daemon is not reachable ({exc}); start nbdesk") from exc
        except NbdeskError as exc:
            raise ToolError(f"{exc} ({exc.code})") from exc
        except TimeoutError as exc:
            raise ToolError("the daemon did not answer in time; try again") from exc

    return wrapper


def content(parts: list[Part]) -> Content:
    return [
        ImageContent(type="image", data=p.data, mime_type=p.mime_type)
        if isinstance(p, ImagePart)
        else TextContent(type="text", text=p)
        for p in parts
    ]


def as_json(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)


def build_server(notebooks: AgentNotebooks) -> MCPServer:
    @asynccontextmanager
    async def lifespan(_: MCPServer) -> Any:
        try:
            yield {}
        finally:
            await notebooks.close()

    server: MCPServer = MCPServer(
        "nbdesk", version=__version__, instructions=INSTRUCTIONS, lifespan=lifespan
    )

    @server.tool()
    @tool_errors
    async def list_notebooks() -> str:
        """The notebooks open in nbdesk: id, file (null when untitled), cells, kernel."""
        return as_json(await notebooks.list_open())

    @server.tool()
    @tool_errors
    async def open_notebook(path: str) -> str:
        """Open an .ipynb file (the room the user's window has, if it is open); its id."""
        client = await notebooks.open(path)
        return as_json(
            {"notebook_id": client.notebook_id, "path": client.path, "cells": len(client.doc)}
        )

    @server.tool()
    @tool_errors
    async def create_notebook(folder: str | None = None) -> str:
        """A new untitled notebook (its kernel runs in `folder`, if given); its id."""
        client = await notebooks.create(folder)
        return as_json({"notebook_id": client.notebook_id})

    @server.tool()
    @tool_errors
    async def read_cells(notebook_id: str, start: int = 0, end: int | None = None) -> Content:
        """Cells start..end-1 (all by default): id, type, execution count, source, then
        outputs as text and images."""
        return [
            block
            for cell in await notebooks.cells(notebook_id, start, end)
            for block in content(cell)
        ]

    @server.tool()
    @tool_errors
    async def insert_cell(
        notebook_id: str, source: str, cell_type: str = "code", index: int | None = None
    ) -> str:
        """Insert a cell (code, markdown or raw) at `index` (the end by default); its id."""
        return await notebooks.insert(notebook_id, source, cell_type, index)

    @server.tool()
    @tool_errors
    async def edit_cell(
        notebook_id: str, cell_id: str, source: str | None = None, cell_type: str | None = None
    ) -> str:
        """Replace a cell's source and/or change its type."""
        await notebooks.edit(notebook_id, cell_id, source, cell_type)
        return f"cell {cell_id} edited"

    @server.tool()
    @tool_errors
    async def move_cell(notebook_id: str, cell_id: str, index: int) -> str:
        """Move a cell to position `index` (0 is the top, -1 the bottom)."""
        await notebooks.move(notebook_id, cell_id, index)
        return f"cell {cell_id} moved to {index}"

    @server.tool()
    @tool_errors
    async def delete_cell(notebook_id: str, cell_id: str) -> str:
        """Delete a cell."""
        await notebooks.delete(notebook_id, cell_id)
        return f"cell {cell_id} deleted"

    @server.tool()
    @tool_errors
    async def run_cells(
        notebook_id: str, cell_ids: list[str] | None = None, timeout: float = 300
    ) -> Content:
        """Run code cells in order (every code cell when none are named) and wait for each:
        its status, execution count and outputs (text and images)."""
        results = await notebooks.run(notebook_id, cell_ids, timeout)
        return [block for cell in results for block in content(cell)]

    @server.tool()
    @tool_errors
    async def interrupt_kernel(notebook_id: str) -> str:
        """Interrupt the running cell (queued cells are dropped)."""
        await notebooks.interrupt(notebook_id)
        return "interrupted"

    @server.tool()
    @tool_errors
    async def restart_kernel(notebook_id: str) -> str:
        """Restart the notebook's kernel (its variables are lost)."""
        await notebooks.restart(notebook_id)
        return "restarted"

    @server.tool()
    @tool_errors
    async def read_dependencies(notebook_id: str) -> str:
        """The packages the notebook asks for (metadata.nbdesk.uv.dependencies)."""
        return as_json(await notebooks.dependencies(notebook_id))

    return server


def main(argv: list[str]) -> int:
    from nbdesk.daemon.client import daemon_cli as cli

    argparse.ArgumentParser(
        prog="nbdesk mcp",
        description="Serve the Model Context Protocol on stdin/stdout for an AI assistant.",
    ).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)  # stdout is the protocol's
    home = Home.from_env()
    try:
        cli.start(home)
    except NbdeskError as exc:
        print(f"nbdesk mcp: {exc}", file=sys.stderr)
        return 1
    build_server(AgentNotebooks(home)).run("stdio")
    return 0
