"""The nbdesk desktop shell: windows, the per-window relay and the command line."""
