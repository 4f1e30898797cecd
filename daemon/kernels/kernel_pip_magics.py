"""Run inside an ipykernel nbdesk starts (`--IPKernelApp.exec_files`), never imported by
the daemon: `%pip` and `%uv` that install into this kernel's own interpreter with the
daemon's uv.

IPython's own magics run `python -m pip` and `python -m uv`, and nbdesk's environments
(uv venvs) hold neither. These run `uv pip ... --python sys.executable` instead, and the
daemon makes sure that interpreter is the notebook's own: a pool environment the notebook
took, or the private layer over a shared dependency environment (`daemon/envs/layers.py`).
On the daemon's own interpreter, which every notebook without an environment shares,
they refuse (`NBDESK_PIP_SHARED`).
"""


def _nbdesk_pip_magics() -> None:
    """Everything inside one function, deleted after the call: the notebook's namespace
    gets no names from here."""
    import importlib
    import os
    import shlex
    import subprocess
    import sys

    from IPython import get_ipython

    shell = get_ipython()
    uv = os.environ.get("NBDESK_UV", "")
    shared = os.environ.get("NBDESK_PIP_SHARED") == "1"
    note = "Note: you may need to restart the kernel to use updated packages."

    def run_uv(args: list[str]) -> None:
        if shared:
            print(
                "nbdesk: this kernel runs on nbdesk's own Python, which every notebook "
                "without an environment shares, so nothing was installed. Turn the uv pool "
                "on (NBDESK_POOL_UV), add the package to the notebook's dependencies, or "
                "choose another kernel with Change kernel…, then install again.",
                file=sys.stderr,
            )
            return
        if not uv or not os.path.exists(uv):
            print(f"nbdesk: uv is not at {uv!r}: restart the kernel", file=sys.stderr)
            return
        if args[:1] == ["pip"] and len(args) > 1:
            args = [*args, "--python", sys.executable]
        with subprocess.Popen(
            [uv, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            assert process.stdout is not None
            for text in process.stdout:  # streamed: a slow install is not a frozen cell
                print(text, end="", flush=True)
        importlib.invalidate_caches()
        if process.returncode != 0:
            print(f"uv exited with {process.returncode}", file=sys.stderr)
        elif args[1:2] in (["install"], ["uninstall"]):
            print(note)

    def split(line: str) -> list[str] | None:
        try:
            return shlex.split(line)
        except ValueError as exc:
            print(f"nbdesk: {exc} in {line!r}: close the quote and run again", file=sys.stderr)
            return None

    def pip(line: str) -> None:
        """%pip install PACKAGES: uv pip, into this notebook's own environment."""
        if (args := split(line)) is not None:
            run_uv(["pip", *args])

    def uv_magic(line: str) -> None:
        """%uv pip install PACKAGES: into this notebook's own environment."""
        if (args := split(line)) is not None:
            run_uv(args)

    shell.register_magic_function(pip, "line", "pip")
    shell.register_magic_function(uv_magic, "line", "uv")


_nbdesk_pip_magics()
del _nbdesk_pip_magics
