"""nbdesk's daemon: one per user; it owns every open notebook as an Automerge document,
runs the kernels and stores outputs. Sub-packages, lowest layer first: `wire`, `home`,
`doc`, `blobs`, `kernels`, `envs`, `rooms`, `server`; `client` talks to a running daemon."""
