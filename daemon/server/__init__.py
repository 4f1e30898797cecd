"""The server: the daemon process, its socket, handshakes and control requests."""
