"""Outputs at rest: the content-addressed blob store, output manifests, the blob HTTP server and garbage collection."""
