"""Output areas on scripted IOPub message lists (flows from jupyter-notes.md section 3)."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

import nbformat
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import output_from_msg

from nbdesk.daemon.kernels.comms import OutputCaptureRouter
from nbdesk.daemon.kernels.outputs import (
    OutputArea,
    apply_iopub,
    strip_transient,
    terminal_text,
    update_display,
)

Msg = tuple[str, dict[str, Any]]

HTML_FIRST = {"text/plain": "<IPython.core.display.HTML object>", "text/html": "<b>first</b>"}
HTML_SECOND = {"text/plain": "<IPython.core.display.HTML object>", "text/html": "<b>second</b>"}
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[4], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241m1\x1b[39m\x1b[38;5;241m/\x1b[39m\x1b[38;5;241m0\x1b[39m\n",
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
]


def out(text: str, name: str = "stdout") -> Msg:
    return ("stream", {"name": name, "text": text})


def display(data: dict[str, Any], display_id: str | None = None) -> Msg:
    transient = {"display_id": display_id} if display_id else {}
    return ("display_data", {"data": data, "metadata": {}, "transient": transient})


def clear(wait: bool) -> Msg:
    return ("clear_output", {"wait": wait})


def run(messages: list[Msg], area: OutputArea | None = None) -> OutputArea:
    """Apply a scripted IOPub list the way the daemon would, update_display_data included."""
    area = area or OutputArea()
    for msg_type, content in messages:
        if msg_type == "update_display_data":
            update_display(area, content["transient"]["display_id"], content)
        else:
            apply_iopub(area, msg_type, content)
    return area


def stream_texts(area: OutputArea) -> list[tuple[str, str]]:
    return [(o["name"], o["text"]) for o in area.outputs if o["output_type"] == "stream"]


def as_nbformat(msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
    return dict(output_from_msg({"header": {"msg_type": msg_type}, "content": content}))


# -- the observed flows ----------------------------------------------------------------------


def test_stream_and_result_flow() -> None:
    result = {"data": {"text/plain": "42"}, "metadata": {}, "execution_count": 1}
    area = run(
        [
            ("status", {"execution_state": "busy"}),
            ("execute_input", {"code": "...", "execution_count": 1}),
            out("hello\n"),
            out("oops\n", "stderr"),
            ("execute_result", result),
            ("status", {"execution_state": "idle"}),
        ]
    )
    assert area.outputs == [
        as_nbformat("stream", {"name": "stdout", "text": "hello\n"}),
        as_nbformat("stream", {"name": "stderr", "text": "oops\n"}),
        as_nbformat("execute_result", result),
    ]
    assert area.version == 3
    cell = nbformat.v4.new_code_cell(outputs=[strip_transient(o) for o in area.outputs])
    nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))


def test_display_id_and_update_flow() -> None:
    area = run(
        [
            display(HTML_FIRST, "d1"),
            (
                "update_display_data",
                {"data": HTML_SECOND, "metadata": {}, "transient": {"display_id": "d1"}},
            ),
        ]
    )
    assert area.outputs == [
        {
            "output_type": "display_data",
            "data": HTML_SECOND,
            "metadata": {},
            "transient": {"display_id": "d1"},
        }
    ]
    assert strip_transient(area.outputs[0]) == as_nbformat(
        "display_data", {"data": HTML_SECOND, "metadata": {}}
    )
    assert "transient" in area.outputs[0], "strip_transient copies, it does not mutate"
    assert area.version == 2


def test_empty_transient_is_not_kept() -> None:
    area = run([display({"text/plain": "Output()"})])
    assert "transient" not in area.outputs[0]


def test_clear_output_wait_flow() -> None:
    area = OutputArea()
    assert apply_iopub(area, *out("a\n"))
    assert not apply_iopub(area, *clear(wait=True))
    assert area.clear_pending
    assert area.outputs == [{"output_type": "stream", "name": "stdout", "text": "a\n"}]
    assert apply_iopub(area, *out("b\n"))
    assert area.outputs == [{"output_type": "stream", "name": "stdout", "text": "b\n"}]
    assert not area.clear_pending


def test_output_widget_clear_wait_flow() -> None:
    """The widget's own area starts with earlier captured outputs; clear(wait) then print."""
    area = run([out("inside\n"), display({"text/html": "<i>rich</i>"})])
    run([clear(wait=True), out("replaced\n")], area)
    assert stream_texts(area) == [("stdout", "replaced\n")]
    assert len(area.outputs) == 1


def test_error_flow() -> None:
    content = {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": TRACEBACK}
    area = run([("error", content)])
    assert area.outputs == [as_nbformat("error", content)]
    assert area.outputs[0]["traceback"] == TRACEBACK


def test_non_output_messages_change_nothing() -> None:
    area = OutputArea()
    for msg_type in ("status", "execute_input", "comm_msg", "comm_open", "update_display_data"):
        assert not apply_iopub(area, msg_type, {})
    assert area.outputs == [] and area.version == 0


# -- stream coalescing -----------------------------------------------------------------------


def test_stdout_stderr_interleaving() -> None:
    area = run([out("1\n"), out("2\n"), out("e1\n", "stderr"), out("e2\n", "stderr"), out("3\n")])
    assert stream_texts(area) == [("stdout", "1\n2\n"), ("stderr", "e1\ne2\n"), ("stdout", "3\n")]


def test_stream_after_other_output_starts_a_new_one() -> None:
    area = run([out("a\n"), display({"text/plain": "x"}), out("b\n")])
    assert [o["output_type"] for o in area.outputs] == ["stream", "display_data", "stream"]
    assert stream_texts(area) == [("stdout", "a\n"), ("stdout", "b\n")]


def test_coalescing_looks_only_at_the_last_output() -> None:
    area = run([out("a"), out("e", "stderr"), out("b")])
    assert stream_texts(area) == [("stdout", "a"), ("stderr", "e"), ("stdout", "b")]


def test_progress_bar_with_carriage_returns() -> None:
    area = run([out("start\n"), out("10%\r20%\r100%\n", "stderr"), out("done\n", "stderr")])
    assert stream_texts(area) == [("stdout", "start\n"), ("stderr", "100%\ndone\n")]


def test_tqdm_like_updates_across_chunks() -> None:
    area = run([out(f"\r{p:3d}%|{'#' * (p // 10):<10}|", "stderr") for p in range(0, 101, 5)])
    run([out("\n", "stderr")], area)
    assert stream_texts(area) == [("stderr", "100%|##########|\n")]
    assert area.version == 22


def test_first_chunk_is_rendered_too() -> None:
    assert stream_texts(run([out("x\ry\n")])) == [("stdout", "y\n")]


def test_empty_chunk_on_existing_stream_is_no_change() -> None:
    area = run([out("a\n")])
    assert not apply_iopub(area, *out(""))
    assert area.version == 1


# -- terminal_text ---------------------------------------------------------------------------


def test_carriage_return_overwrites_from_line_start() -> None:
    assert terminal_text("", "10%\r20%\r100%\n") == "100%\n"
    assert terminal_text("", "hello\rJ") == "Jello\rJ"
    assert terminal_text("", "hello\rJ\n") == "Jello\n"
    assert terminal_text("keep\n", "abc\rX\n") == "keep\nXbc\n"


def test_carriage_return_split_across_chunks() -> None:
    text = terminal_text("", "10%\r")
    assert text == "10%\r"
    assert terminal_text(text, "20%") == "20%"
    assert terminal_text(text, "\n") == "10%\n"
    assert terminal_text(terminal_text(text, "5"), "\n") == "50%\n"


def test_crlf_is_a_newline() -> None:
    assert terminal_text("", "a\r\nb\r\n") == "a\nb\n"
    assert terminal_text(terminal_text("", "a\r"), "\nb") == "a\nb"


def test_backspace() -> None:
    assert terminal_text("", "abc\bX") == "abX"
    assert terminal_text("", "abc\b\b\bXY\n") == "XYc\n"
    assert terminal_text("", "\b\bX") == "X", "nothing left of the line start"
    assert terminal_text("a\n", "\bX") == "a\nX", "never back into the previous line"
    assert terminal_text("", "ab\b\b\b\b\bX\n") == "Xb\n"


def test_backspace_across_chunks() -> None:
    text = terminal_text("", "abc")
    text = terminal_text(text, "\b")
    assert text == "abc\rab"
    assert terminal_text(text, "X") == "abX"
    assert terminal_text(text, "\n") == "abc\n"
    assert terminal_text(terminal_text(text, "\b\b\b"), "Z") == "Zbc\rZ"


def test_only_the_last_line_is_rewritten() -> None:
    """Lines finished earlier are left alone, even text someone else put there raw."""
    assert terminal_text("raw\rline\n", "x\ry") == "raw\rline\ny"


printable = st.text(alphabet=st.sampled_from("ab\r\n\x08\u00e9\U0001f600"), max_size=40)


@given(printable, st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_split_anywhere_equals_whole(text: str, cuts: list[int]) -> None:
    bounds = [0, *sorted(min(c, len(text)) for c in cuts), len(text)]
    chunks = [text[a:b] for a, b in pairwise(bounds)]
    folded = ""
    for chunk in chunks:
        folded = terminal_text(folded, chunk)
    assert folded == terminal_text("", text)


@given(
    st.text(alphabet=st.characters(blacklist_characters="\r\x08")),
    st.text(alphabet=st.characters(blacklist_characters="\r\x08")),
)
def test_without_control_characters_it_is_concatenation(a: str, b: str) -> None:
    assert terminal_text(a, b) == a + b


@given(st.lists(printable, max_size=8))
def test_area_matches_terminal_text_of_everything(chunks: list[str]) -> None:
    area = run([out(chunk) for chunk in chunks])
    whole = "".join(chunks)
    assert stream_texts(area) == ([("stdout", terminal_text("", whole))] if chunks else [])


# -- clear_output ----------------------------------------------------------------------------


def test_clear_immediately() -> None:
    area = run([out("a\n"), display({"text/plain": "x"})])
    assert apply_iopub(area, *clear(wait=False))
    assert area.outputs == [] and area.version == 3
    assert not apply_iopub(area, *clear(wait=False)), "clearing nothing changes nothing"


def test_clear_wait_then_display_data() -> None:
    area = run([out("a\n"), clear(wait=True)])
    assert len(area.outputs) == 1
    assert apply_iopub(area, *display({"text/plain": "new"}))
    assert area.outputs == [
        {"output_type": "display_data", "data": {"text/plain": "new"}, "metadata": {}}
    ]
    assert area.version == 2, "the clear and the add are one change"


def test_double_clear_wait_stays_pending() -> None:
    area = run([out("a\n"), clear(wait=True), clear(wait=True)])
    assert area.clear_pending and stream_texts(area) == [("stdout", "a\n")]
    run([out("b\n")], area)
    assert stream_texts(area) == [("stdout", "b\n")] and not area.clear_pending


def test_clear_wait_then_clear_now() -> None:
    area = run([out("a\n"), clear(wait=True), clear(wait=False), out("b\n")])
    assert stream_texts(area) == [("stdout", "b\n")] and not area.clear_pending


def test_clear_wait_is_not_triggered_by_display_update() -> None:
    area = run([display(HTML_FIRST, "d1"), clear(wait=True)])
    assert update_display(area, "d1", {"data": HTML_SECOND, "metadata": {}})
    assert area.clear_pending
    assert area.outputs[0]["data"] == HTML_SECOND
    run([out("after\n")], area)
    assert stream_texts(area) == [("stdout", "after\n")] and len(area.outputs) == 1


def test_clear_wait_on_empty_area_then_output() -> None:
    area = run([clear(wait=True)])
    assert apply_iopub(area, *out("x"))
    assert stream_texts(area) == [("stdout", "x")]


# -- display updates -------------------------------------------------------------------------


def test_update_two_outputs_with_the_same_display_id() -> None:
    area = run(
        [
            display(HTML_FIRST, "d1"),
            out("between\n"),
            display(HTML_FIRST, "d2"),
            display(HTML_FIRST, "d1"),
        ]
    )
    before = area.version
    assert update_display(area, "d1", {"data": HTML_SECOND, "metadata": {"isolated": True}})
    assert [o.get("data") for o in area.outputs] == [HTML_SECOND, None, HTML_FIRST, HTML_SECOND]
    assert area.outputs[3] == {
        "output_type": "display_data",
        "data": HTML_SECOND,
        "metadata": {"isolated": True},
        "transient": {"display_id": "d1"},
    }
    assert area.version == before + 1


def test_update_execute_result_keeps_execution_count() -> None:
    result = {
        "data": {"text/plain": "1"},
        "metadata": {},
        "execution_count": 7,
        "transient": {"display_id": "r"},
    }
    area = run([("execute_result", result)])
    assert update_display(area, "r", {"data": {"text/plain": "2"}})
    assert area.outputs[0]["execution_count"] == 7
    assert area.outputs[0]["data"] == {"text/plain": "2"}


def test_update_unknown_display_id() -> None:
    area = run([display(HTML_FIRST, "d1")])
    assert not update_display(area, "nope", {"data": HTML_SECOND, "metadata": {}})
    assert area.outputs[0]["data"] == HTML_FIRST and area.version == 1


def test_outputs_do_not_alias_message_content() -> None:
    content = {"data": {"text/plain": "x"}, "metadata": {}, "transient": {"display_id": "d"}}
    area = run([("display_data", content)])
    content["data"]["text/plain"] = "mutated"
    assert area.outputs[0]["data"] == {"text/plain": "x"}


# -- versions and performance ----------------------------------------------------------------


def test_version_bumps_once_per_change() -> None:
    area = OutputArea()
    results = [
        apply_iopub(area, t, c)
        for t, c in [out("a"), out("b"), ("status", {}), clear(wait=True), out("c")]
    ]
    assert results == [True, True, False, False, True]
    assert area.version == 3


def test_hundred_thousand_print_lines_are_linear() -> None:
    """Four times the lines take about four times as long (quadratic copying: sixteen).
    Both sizes are timed in turn, best of three, so a loaded machine slows both alike."""
    chunks = [f"line {i}\n" for i in range(100_000)]

    def apply_all(lines: list[str]) -> OutputArea:
        area = OutputArea()
        for chunk in lines:
            apply_iopub(area, "stream", {"name": "stdout", "text": chunk})
        return area

    quarter: list[float] = []
    whole: list[float] = []
    for _ in range(3):
        quarter.append(_timed(lambda: apply_all(chunks[:25_000])))
        whole.append(_timed(lambda: apply_all(chunks)))
    area = apply_all(chunks)
    assert stream_texts(area) == [("stdout", "".join(chunks))]
    assert area.version == len(chunks)
    ratio = min(whole) / min(quarter)
    assert ratio < 8, f"4x the lines took {ratio:.1f}x as long: {min(whole):.3f}s"


def _timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def test_nested_output_widget_captures_form_a_stack() -> None:
    """`with inner: ... with outer: ...`: when outer lets go, inner captures again."""
    router = OutputCaptureRouter()
    router.set_capture("inner", "m1")
    assert router.target("m1") == "inner"
    router.set_capture("outer", "m1")
    assert router.target("m1") == "outer"
    router.set_capture("outer", "")
    assert router.target("m1") == "inner"
    router.set_capture("inner", "")
    assert router.target("m1") is None
