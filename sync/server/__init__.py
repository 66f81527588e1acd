"""The reference sync server: FastAPI app (:mod:`sync.server.app`), storage, auth, blobs and CLI."""
