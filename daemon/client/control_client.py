"""The daemon-level channel: ping, status, list rooms, garbage collection, stop."""

from __future__ import annotations

from nbdesk.daemon.client.connection import Connection, HomeLike
from nbdesk.daemon.wire.responses import DaemonStatusReply, GcReport, Pong, RoomList, RoomStatus


class ControlClient:
    """A connection that joined no room: it asks the daemon about itself."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __repr__(self) -> str:
        return f"ControlClient({self.connection!r})"

    @classmethod
    async def connect(cls, home: HomeLike = None) -> ControlClient:
        connection = await Connection.connect(home)
        try:
            await connection.request("control", timeout=10)
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def ping(self) -> Pong:
        return await self.connection.call("ping", Pong, timeout=10)

    async def status(self) -> DaemonStatusReply:
        return await self.connection.call("status", DaemonStatusReply, timeout=10)

    async def list_rooms(self) -> list[RoomStatus]:
        return (await self.connection.call("list_rooms", RoomList, timeout=10)).rooms

    async def stop(self) -> None:
        await self.connection.request("stop", timeout=60)

    async def collect_garbage(
        self, min_age: float = 3600.0, env_max_age: float | None = None
    ) -> GcReport:
        """Delete blobs no notebook references (older than `min_age` seconds) and
        environments unused for `env_max_age` seconds (None: the daemon's setting)."""
        return await self.connection.call(
            "gc", GcReport, timeout=300, min_age=min_age, env_max_age=env_max_age
        )

    async def close(self) -> None:
        await self.connection.close()

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
