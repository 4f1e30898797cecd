"""The Jupyter servers in the page's settings: list, add and remove, as `nbdesk server`
does from a shell, through the same store (`nbdesk.daemon.home.servers`).

A page asks through its room (it has no other connection to the daemon), but the servers
are the user's, not the room's: every room sees the same list. Replies carry whether a
token is stored, never the token itself.
"""

from __future__ import annotations

from nbdesk.daemon.home import servers
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.requests import AddServer, ListServers, RemoveServer
from nbdesk.daemon.wire.responses import ServerEntry, ServerList


def server_list(room: Room) -> ServerList:
    return ServerList(
        servers=[
            ServerEntry(
                name=server.name,
                url=server.url,
                has_token=bool(server.token),
                insecure=server.insecure,
            )
            for server in servers.load(room.context.home).values()
        ]
    )


async def list_servers(room: Room, request: ListServers) -> ServerList:
    return server_list(room)


async def add_server(room: Room, request: AddServer) -> ServerList:
    servers.add(
        room.context.home,
        request.name.strip(),
        request.url,
        request.token.strip(),
        insecure=request.insecure,
    )
    return server_list(room)


async def remove_server(room: Room, request: RemoveServer) -> ServerList:
    servers.remove(room.context.home, request.name)
    return server_list(room)
