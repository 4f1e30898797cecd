"""Rooms: one per open notebook (its document, peers, file binding and kernel), the registry of rooms and one handler per request."""
