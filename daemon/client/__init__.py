"""Clients of a running daemon: the Python notebook client, the daemon launcher and `nbdesk daemon` / `nbdesk run` commands."""
