"""A petition's public, append-only log of signatures (RFC 6962 Merkle tree, C2SP tlog-tiles).

`merkle` hashes and proves, `leaves` is the leaf record (no personal data), `tiles` lays the
tree out as static files and reads it back, `note` signs checkpoints, `keys` loads the
log's secrets, `append` is what the counter calls, `fetch` reads a published log (a folder
or a URL) and `verify` audits one. Imports only the core.
"""
