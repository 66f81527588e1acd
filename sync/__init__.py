"""Sync between field workspaces and the provincial server.

:mod:`sync.protocol` is the wire format both sides share; :mod:`sync.client`
talks to the server; :mod:`sync.job` runs a whole sync (push, blobs, pull,
check) as a cancellable job; :mod:`sync.server` is the reference server.
Nothing here imports Qt.
"""
