"""Attributing a large ledger's new cases in a process of its own, off the importing process's GIL.

shapely 2.0 holds the GIL while it looks points up (10,000 points: 0.17 s alone, about 1 s next to a busy
Python thread), so in the importing process the bulk attribution (:func:`lookup_attributions`) can only
take turns with the row checks and the inserts. :class:`AttributionProcess` starts a helper process
(``spawn``: the GUI imports from a multithreaded process) when the import starts, in parallel with the
bounded parse child; the helper opens the workspace read-only, loads the zone and admin geometries once
and attributes each run of points it is sent, with the same function, so its answer is the in-process
one. Whenever the helper cannot start, dies, does not answer in time, or loaded another zones generation
than the importer's, the run (and every later one) is attributed in-process instead: the result is the
same, only slower.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from inspector.geo.attribution import Attribution, Lookup, lookup_attributions
from inspector.store import db
from inspector.store.workspace import DB_NAME, Workspace

# Ledger file size, bytes, from which the helper process is used: starting it (Python, shapely, the
# workspace's geometries) costs about 0.5 s and a third busy process on two cores; measured against 5,000
# zones, it loses below about 15,000 new rows (10,000 rows, 1.5 MB of CSV: 1.07 s vs 1.00 s in-process) and
# wins above (20,000 rows, 2.9 MB: 1.33 s vs 1.42 s; 50,000 rows: 2.87 s vs 3.44 s). A CSV ledger row takes
# about 150 bytes, an XLSX one fewer (compressed): smaller files attribute in-process.
ATTRIBUTION_PROCESS_MIN_BYTES = 2_500_000
REPLY_TIMEOUT_S = 120.0  # seconds to wait for the helper's answer to one run before attributing in-process


class AttributionProcess:
    """The attributions of runs of points, computed by a helper process: :meth:`submit` a run (in the
    thread that checks the rows), then take its :meth:`result` (in the writer thread), run after run in
    the same order. Close it (``with`` block) to stop the helper."""

    def __init__(self, root: Path, lookup: Lookup) -> None:
        self._lookup = lookup
        self._pending: deque[tuple[np.ndarray, np.ndarray]] = deque()  # submitted runs not yet answered
        self._ready = False  # the helper said it loaded the importer's zones generation
        self._child: Any = None
        try:
            context = multiprocessing.get_context("spawn")
            self._replies, reply_end = context.Pipe(duplex=False)
            request_end, self._requests = context.Pipe(duplex=False)
            self._child = context.Process(target=_serve, args=(str(root), request_end, reply_end), daemon=True,
                                          name="ledger attribution")
            self._child.start()
            request_end.close()
            reply_end.close()
        except (OSError, RuntimeError, ValueError):  # no process could be started: attribute in-process
            self._child = None

    @property
    def running(self) -> bool:
        """Whether the helper still serves (False once it failed: then every run is attributed in-process)."""
        return self._child is not None

    def __enter__(self) -> AttributionProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop the helper and let it go."""
        if self._child is None:
            return
        self._requests.close()  # the helper ends when it reads the end of its requests
        self._child.join(timeout=1.0)
        if self._child.is_alive():
            self._child.kill()
            self._child.join()
        self._replies.close()
        self._child = None

    def submit(self, lons: np.ndarray, lats: np.ndarray) -> None:
        """Hand on a run of points to attribute (the helper starts on it at once)."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        self._pending.append((lons, lats))
        if self._child is not None:
            try:
                self._requests.send((lons, lats))
            except (OSError, ValueError):
                self._give_up()

    def result(self) -> list[Attribution]:
        """The attributions of the earliest submitted run not yet taken: the helper's, or computed here."""
        lons, lats = self._pending.popleft()
        if self._child is not None:
            try:
                if not self._ready:
                    generation = self._receive()
                    if generation != self._lookup.generation:
                        raise EOFError("the helper loaded another zones generation")
                    self._ready = True
                return [Attribution(tuple(columns), links) for columns, links in self._receive()]
            except (EOFError, OSError, ValueError):
                self._give_up()
        return lookup_attributions(self._lookup, lons, lats, [None] * len(lons))

    def _receive(self) -> Any:
        if not self._replies.poll(REPLY_TIMEOUT_S):
            raise EOFError("no answer in time")
        return self._replies.recv()

    def _give_up(self) -> None:
        """Stop using the helper: the runs still pending and all later ones are attributed in-process."""
        if self._child is not None:
            self._child.kill()
            self._child.join()
            self._requests.close()
            self._replies.close()
            self._child = None


def _serve(root: str, requests: multiprocessing.connection.Connection,
           replies: multiprocessing.connection.Connection) -> None:
    """In the helper: open the workspace read-only, load its geometries, send the zones generation, then
    answer each run of points with its attributions until the requests end."""
    path = Path(root)
    ws = Workspace(path, db.connect(path / DB_NAME, readonly=True))
    lookup = Lookup(ws)
    lookup.load_all()
    replies.send(lookup.generation)
    while True:
        try:
            lons, lats = requests.recv()
        except EOFError:
            break
        found = lookup_attributions(lookup, lons, lats, [None] * len(lons))
        replies.send([(attribution.columns, attribution.zones) for attribution in found])
    ws.close()
