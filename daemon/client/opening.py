"""The object `nbdesk.open()` and friends return: awaitable, and an async context manager.

`nb = await nbdesk.open(p)` gives the client (the caller closes it);
`async with nbdesk.open(p) as nb:` gives it and closes it at the end of the block.
Nothing connects until one of the two happens, so there is never a double `await`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, Generic, Protocol, TypeVar


class _Closable(Protocol):
    async def close(self) -> None: ...


Client = TypeVar("Client", bound=_Closable)


class Opening(Generic[Client]):
    def __init__(self, connect: Callable[[], Awaitable[Client]], what: str) -> None:
        self._connect = connect
        self._what = what
        self._client: Client | None = None

    def __repr__(self) -> str:
        return f"Opening({self._what})"

    def __await__(self) -> Generator[Any, None, Client]:
        return self._connect().__await__()

    async def __aenter__(self) -> Client:
        self._client = await self._connect()
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
