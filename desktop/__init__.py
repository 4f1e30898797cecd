"""nbdesk's desktop shell: native windows, the per-window relay and the shell's web server.
It reaches the daemon only through the wire and the client."""
