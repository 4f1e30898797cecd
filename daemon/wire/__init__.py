"""The wire: frame bytes, the typed messages of every request, response and broadcast, ids and error codes. Imports nothing else of nbdesk."""
