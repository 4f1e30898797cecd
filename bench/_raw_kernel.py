"""The baseline several benches measure against: plain jupyter_client starting plain
ipykernel on an interpreter and running one cell, with nothing of nbdesk in between."""

from __future__ import annotations

import time
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

from nbdesk.daemon.kernels.session import _OneSpec


async def raw_first_result(python: str, cwd: Path, code: str = "1+1") -> float:
    """Milliseconds from asking for a kernel on `python` to the `execute_result` of `code`."""
    started = time.perf_counter()
    spec = KernelSpec(
        argv=[python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="bench",
        language="python",
    )
    km = AsyncKernelManager(kernel_name="bench", kernel_spec_manager=_OneSpec(spec))
    await km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        msg_id = kc.execute(code)
        while True:
            msg = await kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_result":
                return (time.perf_counter() - started) * 1000
            if msg["msg_type"] == "error":
                raise RuntimeError(f"{code!r} raised {msg['content']['ename']}")
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
