"""The envelope and the codec: msgpack in and out, requests parsed into their structs,
responses built from result structs and read back into them.

The message structs themselves live by direction: `nbdesk.daemon.wire.requests`,
`.responses`, `.broadcasts` (daemon <-> client) and `.control` (shell <-> page). Framing is
`nbdesk.daemon.wire.framing`; nothing here does I/O.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError, ProtocolError
from nbdesk.daemon.wire.ids import RequestId
from nbdesk.daemon.wire.requests import AnyRequest
from nbdesk.daemon.wire.responses import ErrorInfo, ErrorResponse, OkResponse, Result

R = TypeVar("R", bound=Result)

_encoder = msgspec.msgpack.Encoder()
_raw_decoder = msgspec.msgpack.Decoder()
_BYTES = (bytes, bytearray, memoryview)  # kept as msgpack bin, not turned into base64


def encode(message: msgspec.Struct | dict[str, Any]) -> bytes:
    return _encoder.encode(message)


def ok_response(request_id: RequestId, result: Result) -> bytes:
    """`{id, ok: true, **result}`: the result's fields sit beside the envelope's."""
    body: dict[str, Any] = {"id": request_id, "ok": True}
    body.update(msgspec.to_builtins(result, builtin_types=_BYTES))
    return _encoder.encode(body)


def error_response(request_id: RequestId | None, error: NbdeskError) -> bytes:
    info = ErrorInfo(code=error.code, message=error.message)
    return _encoder.encode(ErrorResponse(id=request_id, ok=False, error=info))


def decode_map(payload: bytes) -> dict[str, Any]:
    """Decode a msgpack map, or raise ProtocolError (the connection cannot be trusted)."""
    try:
        value = _raw_decoder.decode(payload)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ProtocolError(f"invalid msgpack: {exc}", code=ErrorCode.BAD_MSGPACK) from exc
    if not isinstance(value, dict):
        raise ProtocolError(
            f"expected a msgpack map, got {type(value).__name__}", code=ErrorCode.BAD_MSGPACK
        )
    return value


def request_id_of(raw: dict[str, Any]) -> RequestId | None:
    value = raw.get("id")
    return RequestId(value) if isinstance(value, int) and not isinstance(value, bool) else None


def parse_request(raw: dict[str, Any], kinds: Any = AnyRequest) -> Any:
    """A typed request from a decoded map; unknown ops and bad fields raise ProtocolError."""
    try:
        return msgspec.convert(raw, kinds)
    except msgspec.ValidationError as exc:
        op = raw.get("op")
        unknown = "op" in str(exc) and "Invalid value" in str(exc)
        code = ErrorCode.UNKNOWN_OP if unknown else ErrorCode.BAD_REQUEST
        raise ProtocolError(f"bad request {op!r}: {exc}", code=code) from exc


def check_response(raw: dict[str, Any]) -> None:
    """Raise the daemon's refusal as NbdeskError; a code this side does not know is kept
    as `error`, with the daemon's message."""
    if raw.get("ok") is True:
        return
    error = raw.get("error")
    try:
        info = msgspec.convert(error, ErrorInfo)
    except msgspec.ValidationError:
        message = error.get("message") if isinstance(error, dict) else None
        raise NbdeskError(str(message or "the daemon refused the request")) from None
    raise NbdeskError(info.message, code=info.code)


def parse_result(raw: dict[str, Any], kind: type[R]) -> R:
    """The result of a decoded response, or the daemon's refusal raised as NbdeskError;
    a success that lacks a result field is a `bad_response` ProtocolError."""
    check_response(raw)
    try:
        msgspec.convert(raw, OkResponse)
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        raise ProtocolError(
            f"bad {kind.__name__} response: {exc}", code=ErrorCode.BAD_RESPONSE
        ) from exc
