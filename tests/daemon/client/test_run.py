"""`nbdesk run` end to end: a real daemon, real kernels, the command as a user types it.

Each flag and tag nbclient and papermill define is run once, and each kind of bad input
gets its message. Parity with nbclient on its own notebooks is test_run_conformance.py.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess, nbdesk_cli

from nbdesk.daemon.envs import kernelspecs


def code(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write(path: Path, *cells: nbformat.NotebookNode, **metadata: object) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A report"), *cells]
    nb.metadata.update(metadata)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


def write_notebook(path: Path, *sources: str) -> Path:
    return write(path, *(code(source) for source in sources))


def run_cli(daemon: DaemonProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return nbdesk_cli(daemon.env, "run", *args, timeout=180)


def read(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_nbdesk_run_executes_and_writes_the_result(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    source = write_notebook(tmp_path / "report.ipynb", "x = 6 * 7", "print(x)", "x")
    before = source.read_bytes()
    target = tmp_path / "out.ipynb"
    result = run_cli(module_daemon, str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "3/3" in result.stderr
    assert source.read_bytes() == before
    nb = read(target)
    assert nb.cells[2].outputs[0]["text"] == "42\n"
    assert nb.cells[3].outputs[0]["data"]["text/plain"] == "42"
    assert [c.get("execution_count") for c in nb.cells[1:]] == [1, 2, 3]


def test_the_kernel_runs_in_the_notebooks_folder(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n")
    source = write_notebook(
        folder / "reads.ipynb", "import os\nprint(os.getcwd())", "print(open('data.csv').read())"
    )
    result = run_cli(module_daemon, str(source), "-o", str(tmp_path / "out.ipynb"))
    assert result.returncode == 0, result.stderr
    nb = read(tmp_path / "out.ipynb")
    assert text(nb.cells[1]) == f"{folder.resolve()}\n"
    assert text(nb.cells[2]) == "a,b\n1,2\n\n"


def test_nbdesk_run_stops_at_a_cell_error_and_says_what_to_do(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    source = write_notebook(tmp_path / "broken.ipynb", "1/0", "print('not reached')")
    result = run_cli(module_daemon, str(source))
    assert result.returncode == 1
    assert (
        "cell 2" in result.stderr and "raised ZeroDivisionError: division by zero" in result.stderr
    )
    assert "raises-exception" in result.stderr and "--allow-errors" in result.stderr
    nb = read(source)
    assert nb.cells[1].outputs[0]["ename"] == "ZeroDivisionError"
    assert nb.cells[2].outputs == [] and nb.cells[2].execution_count is None


def test_allow_errors_runs_past_them_and_exits_0_like_nbclient(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    source = write_notebook(tmp_path / "errors.ipynb", "1/0", "print('after')", "[][1]")
    result = run_cli(
        module_daemon, str(source), "--allow-errors", "-o", str(tmp_path / "out.ipynb")
    )
    assert result.returncode == 0, result.stderr
    assert "raised ZeroDivisionError" in result.stderr and "raised IndexError" in result.stderr
    assert "run past with --allow-errors" in result.stderr
    nb = read(tmp_path / "out.ipynb")
    assert nb.cells[1].outputs[0]["ename"] == "ZeroDivisionError"
    assert text(nb.cells[2]) == "after\n"
    assert [c.execution_count for c in nb.cells[1:]] == [1, 2, 3]


def test_tags_and_empty_cells(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    """skip-execution and empty cells are not run (no count, no output); a cell tagged
    raises-exception raises and the run goes on."""
    source = write(
        tmp_path / "tags.ipynb",
        code("x = 1"),
        code("  \n"),
        code("x = 100\nprint('skipped cell ran')", "skip-execution"),
        code("raise ValueError('expected')", "raises-exception"),
        code("print(x)"),
    )
    result = run_cli(module_daemon, str(source), "-o", str(tmp_path / "out.ipynb"))
    assert result.returncode == 0, result.stderr
    assert "empty, not run" in result.stderr and "skipped (skip-execution)" in result.stderr
    assert "raised ValueError: expected (expected)" in result.stderr
    nb = read(tmp_path / "out.ipynb")
    assert [c.execution_count for c in nb.cells[1:]] == [1, None, None, 2, 3]
    assert nb.cells[2].outputs == [] and nb.cells[3].outputs == []
    assert nb.cells[4].outputs[0]["ename"] == "ValueError"
    assert text(nb.cells[5]) == "1\n"


def test_input_raises_as_under_nbclient(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "asks.ipynb", "name = input('name: ')")
    result = run_cli(module_daemon, str(source), "-o", str(tmp_path / "out.ipynb"))
    assert result.returncode == 1
    error = read(tmp_path / "out.ipynb").cells[1].outputs[0]
    assert error["ename"] == "StdinNotImplementedError"


@pytest.mark.parametrize("allow_errors", [False, True])
def test_timeout_interrupts_the_cell(
    module_daemon: DaemonProcess, tmp_path: Path, allow_errors: bool
) -> None:
    source = write_notebook(
        tmp_path / "slow.ipynb", "import time\ntime.sleep(120)", "print('after')"
    )
    started = time.monotonic()
    flags = ["--allow-errors"] if allow_errors else []
    result = run_cli(
        module_daemon, str(source), "--timeout", "2", *flags, "-o", str(tmp_path / "out.ipynb")
    )
    assert time.monotonic() - started < 60  # interrupted, not waited out
    assert "was still running after 2 s and was interrupted" in result.stderr
    nb = read(tmp_path / "out.ipynb")
    assert nb.cells[1].outputs[-1]["ename"] == "KeyboardInterrupt"
    if allow_errors:
        assert result.returncode == 0, result.stderr
        assert text(nb.cells[2]) == "after\n"
    else:
        assert result.returncode == 1
        assert "--timeout SECONDS" in result.stderr
        assert nb.cells[2].outputs == []


def parameterised(path: Path) -> Path:
    return write(
        path,
        code("alpha = 1\nname = 'default'\nflag = False", "parameters"),
        code("print(alpha, name, flag)"),
    )


def test_parameters_are_injected_after_the_parameters_cell(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    source = parameterised(tmp_path / "params.ipynb")
    params = tmp_path / "params.yaml"
    params.write_text("alpha: 9\nname: from the file\nflag: true\n")
    target = tmp_path / "out.ipynb"
    result = run_cli(
        module_daemon, str(source), "-f", str(params), "-p", "alpha", "0.5", "-o", str(target)
    )
    assert result.returncode == 0, result.stderr
    nb = read(target)
    injected = nb.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert injected.source == '# Parameters\nalpha = 0.5\nname = "from the file"\nflag = True\n'
    assert text(nb.cells[3]) == "0.5 from the file True\n"
    assert nb.metadata["papermill"]["parameters"] == {
        "alpha": 0.5,
        "name": "from the file",
        "flag": True,
    }

    again = run_cli(
        module_daemon, str(target), "-p", "alpha", "2"
    )  # a second run replaces the cell
    assert again.returncode == 0, again.stderr
    nb = read(target)
    assert [c.metadata.get("tags") for c in nb.cells].count(["injected-parameters"]) == 1
    assert nb.cells[2].source == "# Parameters\nalpha = 2\n"
    assert text(nb.cells[3]) == "2 default False\n"


def test_parameters_in_r_syntax_on_an_r_kernel(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    if kernelspecs.find("ir") is None:
        pytest.fail(
            "IRkernel's kernelspec `ir` is missing: install r-cran-irkernel and run "
            "`R -e 'IRkernel::installspec()'`",
            pytrace=False,
        )
    source = write(
        tmp_path / "r.ipynb",
        code("alpha <- 1\nlabel <- 'default'", "parameters"),
        code("cat(alpha * 2, label, is.null(nothing), '\\n')"),
        kernelspec={"name": "ir", "display_name": "R", "language": "R"},
    )
    target = tmp_path / "out.ipynb"
    flags = ["-p", "alpha", "21", "-p", "label", "given", "-p", "nothing", "None"]
    result = run_cli(module_daemon, str(source), "--kernel", "ir", *flags, "-o", str(target))
    assert result.returncode == 0, result.stderr
    nb = read(target)
    assert nb.cells[2].source == '# Parameters\nalpha = 21\nlabel = "given"\nnothing = NULL\n'
    assert text(nb.cells[3]) == "42 given TRUE \n"


# -- bad input: a clear message, exit status 2, nothing lost -----------------------------


def test_a_notebook_that_is_not_json(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = tmp_path / "corrupt.ipynb"
    source.write_text("{not json")
    result = run_cli(module_daemon, str(source))
    assert result.returncode == 2
    assert "corrupt.ipynb" in result.stderr and "not valid JSON" in result.stderr
    assert source.read_text() == "{not json"


def test_a_missing_notebook(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    result = run_cli(module_daemon, str(tmp_path / "nowhere.ipynb"))
    assert result.returncode == 2 and "nowhere.ipynb does not exist" in result.stderr


def test_an_unknown_kernelspec_names_the_installed_ones(
    module_daemon: DaemonProcess, tmp_path: Path
) -> None:
    source = write_notebook(tmp_path / "k.ipynb", "print(1)")
    before = source.read_bytes()
    result = run_cli(module_daemon, str(source), "--kernel", "no-such-kernel")
    assert result.returncode == 2
    assert "no kernel named 'no-such-kernel' is installed here" in result.stderr
    for name in kernelspecs.installed():
        assert name in result.stderr
    assert "--kernel" in result.stderr
    assert source.read_bytes() == before


def test_a_parameters_file_that_is_not_yaml(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = parameterised(tmp_path / "p.ipynb")
    before = source.read_bytes()
    params = tmp_path / "params.yaml"
    params.write_text("alpha: [1, 2\nname: x\n")
    result = run_cli(module_daemon, str(source), "-f", str(params))
    assert result.returncode == 2
    assert f"the parameters file {params} is not YAML" in result.stderr
    assert "name: value" in result.stderr
    assert source.read_bytes() == before


def test_an_output_folder_that_does_not_exist(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "o.ipynb", "print(1)")
    result = run_cli(module_daemon, str(source), "-o", str(tmp_path / "missing" / "out.ipynb"))
    assert result.returncode == 2 and "the output folder" in result.stderr


def test_a_timeout_that_is_not_a_number(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "t.ipynb", "print(1)")
    result = run_cli(module_daemon, str(source), "--timeout", "soon")
    assert result.returncode == 2 and "'soon' is not a number of seconds" in result.stderr


def test_nbdesk_run_twice_to_the_same_output(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "again.ipynb", "print('run')")
    target = tmp_path / "again-out.ipynb"
    for _ in range(2):
        result = run_cli(module_daemon, str(source), "-o", str(target))
        assert result.returncode == 0, result.stderr
    assert read(target).cells[1].outputs[0]["text"] == "run\n"
