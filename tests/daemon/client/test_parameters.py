"""papermill-style parameters and nbclient's cell rules, without a daemon."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from nbdesk.daemon.client import parameters
from nbdesk.daemon.client.parameters import ParameterError
from nbdesk.daemon.client.run_plan import CellPlan, may_raise, plan


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("True", True),
        ("False", False),
        ("None", None),
        ("42", 42),
        ("-7", -7),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("nan", "nan"),
        ("true", "true"),
        ("hello world", "hello world"),
        ("", ""),
    ],
)
def test_values_are_typed_as_papermill_types_them(text: str, value: object) -> None:
    typed = parameters.typed_value(text)
    if text == "nan":  # float("nan") parses: papermill gives a float NaN too
        assert typed != typed
        return
    assert typed == value and type(typed) is type(value)


def test_python_rendering_matches_papermill() -> None:
    source = parameters.render(
        {
            "alpha": 0.5,
            "n": 3,
            "flag": False,
            "nothing": None,
            "name": 'say "hi"\n',
            "inf": float("inf"),
            "items": [1, "two"],
            "opts": {"k": True},
        },
        "python",
    )
    assert source == (
        "# Parameters\n"
        "alpha = 0.5\n"
        "n = 3\n"
        "flag = False\n"
        "nothing = None\n"
        'name = "say \\"hi\\"\\n"\n'
        "inf = float('inf')\n"
        'items = [1, "two"]\n'
        'opts = {"k": True}\n'
    )
    namespace: dict[str, object] = {}
    exec(source, namespace)
    assert namespace["name"] == 'say "hi"\n' and namespace["opts"] == {"k": True}


def test_r_rendering_matches_papermill() -> None:
    source = parameters.render(
        {"alpha": 0.5, "flag": True, "nothing": None, "_hidden": "x", "v": [1, 2]}, "R"
    )
    assert source == (
        '# Parameters\nalpha = 0.5\nflag = TRUE\nnothing = NULL\nhidden = "x"\nv = list(1, 2)\n'
    )


def test_bad_names_and_languages_say_what_to_do() -> None:
    with pytest.raises(ParameterError, match="not a Python name"):
        parameters.render({"a-b": 1}, "python")
    with pytest.raises(ParameterError, match="not an R name"):
        parameters.render({"1x": 1}, "r")
    with pytest.raises(ParameterError, match=r"language is julia.*--kernel"):
        parameters.render({"a": 1}, "julia")


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def tagged(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def test_injected_after_the_parameters_cell_then_replaced_on_the_next_run() -> None:
    nb = notebook(
        nbformat.v4.new_markdown_cell("# title"),
        tagged("alpha = 1", "parameters"),
        nbformat.v4.new_code_cell("print(alpha)"),
    )
    assert parameters.inject(nb, "# Parameters\nalpha = 2\n") == 2
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert nb.cells[2].source == "# Parameters\nalpha = 2\n"
    assert parameters.inject(nb, "# Parameters\nalpha = 3\n") == 2
    assert [c.source for c in nb.cells] == [
        "# title",
        "alpha = 1",
        "# Parameters\nalpha = 3\n",
        "print(alpha)",
    ]


def test_injected_at_the_top_without_a_parameters_cell() -> None:
    nb = notebook(nbformat.v4.new_code_cell("print(alpha)"))
    assert parameters.inject(nb, "alpha = 1\n") == 0
    assert nb.cells[0].source == "alpha = 1\n" and len(nb.cells) == 2


def test_language_comes_from_the_notebook() -> None:
    nb = notebook()
    assert parameters.notebook_language(nb) == "python"
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    assert parameters.notebook_language(nb) == "R"
    nb.metadata["language_info"] = {"name": "R"}
    assert parameters.notebook_language(nb) == "R"


def test_files_then_pairs_later_ones_win(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yml"
    first.write_text("alpha: 0.1\nwhen: 2024-01-02\nlabel: first\n")
    second.write_text("label: second\n")
    got = parameters.collect([first, second], [("alpha", "0.9"), ("n", "5")])
    assert got == {"alpha": 0.9, "when": "2024-01-02", "label": "second", "n": 5}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("alpha: [1, 2\n", "is not YAML"),
        ("- just\n- a list\n", "holds a list, not names and values"),
        ("just a string", "holds a str"),
    ],
)
def test_a_bad_parameters_file_says_what_to_write(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(content)
    with pytest.raises(ParameterError, match=message) as info:
        parameters.read_file(path)
    assert str(path) in str(info.value) and "name: value" in str(info.value)


def test_a_missing_parameters_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="does not exist"):
        parameters.read_file(tmp_path / "nope.yaml")


def test_an_empty_parameters_file_is_no_parameters(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")
    assert parameters.read_file(path) == {}


def test_which_cells_run_and_which_may_raise() -> None:
    assert plan(nbformat.v4.new_code_cell("x = 1")) == CellPlan.RUN
    assert plan(nbformat.v4.new_code_cell("  \n\t")) == CellPlan.EMPTY
    assert plan(tagged("x = 1", "skip-execution")) == CellPlan.SKIPPED
    assert plan(nbformat.v4.new_markdown_cell("x")) == CellPlan.NOT_CODE
    assert plan(nbformat.v4.new_raw_cell("x")) == CellPlan.NOT_CODE
    assert may_raise(tagged("1/0", "raises-exception"), allow_errors=False)
    assert not may_raise(nbformat.v4.new_code_cell("1/0"), allow_errors=False)
    assert may_raise(nbformat.v4.new_code_cell("1/0"), allow_errors=True)
