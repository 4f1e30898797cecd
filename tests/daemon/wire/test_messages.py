"""The wire's structs: every message round-trips, and a bad one gets the right ErrorCode."""

from __future__ import annotations

import typing

import msgspec
import pytest

from nbdesk.daemon.wire import broadcasts, control, requests, responses
from nbdesk.daemon.wire.display import DisplaySettings
from nbdesk.daemon.wire.enums import (
    CompareKind,
    EnvKind,
    EnvPhase,
    ExecutionStatus,
    KernelPhase,
    KernelStatus,
    PeerKind,
    ResolutionSource,
    Theme,
    TrustStatus,
)
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.ids import CellId, CommId, ExecutionId, NotebookId, RequestId
from nbdesk.daemon.wire.messages import (
    decode_map,
    encode,
    error_response,
    ok_response,
    parse_request,
    parse_result,
)

BROADCASTS: list[broadcasts.Broadcast] = [
    broadcasts.PathChanged(path=None),
    broadcasts.FileChanged(path="/n.ipynb", cells_changed=2),
    broadcasts.Saved(path="/n.ipynb"),
    broadcasts.ExecutionStarted(cell_id=CellId("c1"), execution_id=ExecutionId("e1")),
    broadcasts.ExecutionDone(
        cell_id=CellId("c1"),
        execution_id=ExecutionId("e1"),
        status=ExecutionStatus.ABORTED,
        execution_count=None,
        heads=["ab"],
    ),
    broadcasts.QueueChanged(running=CellId("c1"), queued=[CellId("c2")]),
    broadcasts.KernelStatusChanged(status=KernelStatus.BUSY),
    broadcasts.KernelErrorEvent(message="died"),
    broadcasts.CommCustom(comm_id=CommId("w"), content={"a": 1}, buffers=[{"blob": "h"}]),
    broadcasts.EnvProgress(kind=EnvKind.DEPS, phase=EnvPhase.READY, message="done"),
    broadcasts.EnvSyncState(in_sync=False, added=["six"], removed=[]),
    broadcasts.KernelLocation(
        display_name="R",
        language="R",
        env="/usr/lib/R",
        source=ResolutionSource.KERNELSPEC,
        phase=KernelPhase.READY,
        kernelspec="ir",
    ),
    broadcasts.InputRequested(
        cell_id=CellId("c1"), execution_id=ExecutionId("e1"), prompt="Name? ", password=False
    ),
    broadcasts.InputAnswered(execution_id=ExecutionId("e1")),
    broadcasts.TrustState(
        status=TrustStatus.UNTRUSTED, dependencies=["reqeusts"], flagged=["x"], digest="ab"
    ),
    broadcasts.FileRepaired(path="/n.ipynb", repairs=["removed unknown notebook keys: x"]),
    broadcasts.SaveFailed(path=None, message="No space left on device"),
    broadcasts.SaveRecovered(path="/n.ipynb"),
    broadcasts.DisplayChanged(
        display=DisplaySettings(line_numbers=True, font_size=16, theme=Theme.DARK)
    ),
]


def test_every_broadcast_kind_is_covered_here() -> None:
    assert {type(b) for b in BROADCASTS} == set(typing.get_args(broadcasts.AnyBroadcast))


@pytest.mark.parametrize("message", BROADCASTS, ids=lambda b: type(b).__name__)
def test_broadcasts_round_trip(message: broadcasts.Broadcast) -> None:
    assert msgspec.convert(decode_map(encode(message)), broadcasts.AnyBroadcast) == message


def test_a_broadcast_with_a_value_outside_its_closed_set_is_refused() -> None:
    raw = msgspec.to_builtins(BROADCASTS[6])
    with pytest.raises(msgspec.ValidationError, match="status"):
        msgspec.convert({**raw, "status": "sleepy"}, broadcasts.AnyBroadcast)


def test_every_request_op_has_one_result_struct() -> None:
    ops = set(typing.get_args(requests.AnyRequest))
    assert set(responses.RESULT_OF) == ops
    assert all(issubclass(result, responses.Result) for result in responses.RESULT_OF.values())


def test_requests_parse_into_their_structs() -> None:
    request = parse_request(decode_map(encode({"id": 7, "op": "execute_cell", "cell_id": "c1"})))
    assert request == requests.ExecuteCell(id=RequestId(7), cell_id=CellId("c1"))
    handshake = parse_request({"id": 0, "op": "join", "notebook_id": "n"}, requests.Handshake)
    assert handshake == requests.JoinNotebook(id=RequestId(0), notebook_id=NotebookId("n"))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"id": 1, "op": "format_disk"}, ErrorCode.UNKNOWN_OP),
        ({"id": 1, "op": "execute_cell"}, ErrorCode.BAD_REQUEST),
        ({"id": 1, "op": "execute_cell", "cell_id": 3}, ErrorCode.BAD_REQUEST),
        ({"id": "one", "op": "ping"}, ErrorCode.BAD_REQUEST),
    ],
)
def test_a_bad_request_gets_its_code(raw: dict[str, object], code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_request(raw)
    assert info.value.code is code


def test_undecodable_bytes_are_bad_msgpack() -> None:
    for payload in (b"\xc1", encode([1, 2])):
        with pytest.raises(ProtocolError) as info:
            decode_map(payload)
        assert info.value.code is ErrorCode.BAD_MSGPACK


def test_a_result_sits_beside_the_envelope_and_reads_back() -> None:
    result = responses.DocBytes(bytes=b"\x00\x01", heads=["ab"])
    raw = decode_map(ok_response(RequestId(4), result))
    assert raw == {"id": 4, "ok": True, "bytes": b"\x00\x01", "heads": ["ab"]}
    assert parse_result(raw, responses.DocBytes) == result
    assert parse_result(decode_map(ok_response(RequestId(5), responses.Done())), responses.Done)


def test_a_success_without_its_fields_is_a_bad_response() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_result({"id": 4, "ok": True}, responses.SavedTo)
    assert info.value.code is ErrorCode.BAD_RESPONSE


def test_an_error_response_carries_its_code_back() -> None:
    payload = error_response(RequestId(9), NbdeskError("no cell x", code=ErrorCode.NO_SUCH_CELL))
    raw = decode_map(payload)
    assert raw == {"id": 9, "ok": False, "error": {"code": "no_such_cell", "message": "no cell x"}}
    with pytest.raises(NbdeskError, match="no cell x") as info:
        parse_result(raw, responses.SavedTo)
    assert info.value.code is ErrorCode.NO_SUCH_CELL


def test_an_error_code_this_side_does_not_know_keeps_the_message() -> None:
    raw = {"id": 9, "ok": False, "error": {"code": "from_the_future", "message": "later"}}
    with pytest.raises(NbdeskError, match="later") as info:
        parse_result(raw, responses.Done)
    assert info.value.code is ErrorCode.ERROR


def test_control_messages_round_trip_as_json() -> None:
    reply = responses.HandshakeReply(
        notebook_id=NotebookId("n"), path=None, daemon_version="1", blob_url="http://b"
    )
    connected = control.Connected(**msgspec.structs.asdict(reply))
    text = control.control_text(connected)
    assert msgspec.json.decode(text) == {"type": "connected", **msgspec.to_builtins(reply)}
    assert msgspec.json.decode(text, type=control.ToPage) == connected
    menu = control.MenuAction(action=control.Action.RUN_ALL)
    assert control.control_text(menu) == '{"type":"action","action":"run-all"}'
    assert control.parse_host_request('{"type":"ready","page_ms":12}') == control.Ready(page_ms=12)


@pytest.mark.parametrize(
    "text",
    ['{"type":"launch_missiles"}', '{"type":"dirty","dirty":"yes"}', "[]", "not json"],
)
def test_a_bad_page_message_is_refused(text: str) -> None:
    with pytest.raises(msgspec.DecodeError):
        control.parse_host_request(text)


def test_error_codes_are_unique_strings() -> None:
    values = [code.value for code in ErrorCode]
    assert len(values) == len(set(values))
    assert NbdeskError("x").to_wire() == {"code": "error", "message": "x"}


def test_history_requests_parse_and_handshakes_say_who_connects() -> None:
    heads = ["ab" * 32]
    assert parse_request({"id": 1, "op": "history"}) == requests.GetHistory(id=RequestId(1))
    assert parse_request({"id": 2, "op": "notebook_at", "heads": heads}) == (
        requests.GetNotebookAt(id=RequestId(2), heads=heads)
    )
    compare = parse_request(
        {
            "id": 3,
            "op": "compare",
            "left": {"kind": "git", "rev": "HEAD~1"},
            "right": {"kind": "now"},
        }
    )
    assert compare == requests.Compare(
        id=RequestId(3),
        left=requests.CompareSide(kind=CompareKind.GIT, rev="HEAD~1"),
        right=requests.CompareSide(kind=CompareKind.NOW),
    )
    with pytest.raises(ProtocolError):
        parse_request({"id": 4, "op": "compare", "left": {"kind": "yesterday"}, "right": {}})
    window = parse_request(
        {"id": 0, "op": "join", "notebook_id": "n", "peer": "window"}, requests.Handshake
    )
    assert isinstance(window, requests.JoinNotebook) and window.peer == PeerKind.WINDOW
    client = parse_request({"id": 0, "op": "open", "path": "/a.ipynb"}, requests.Handshake)
    assert isinstance(client, requests.OpenNotebook) and client.peer == PeerKind.CLIENT
