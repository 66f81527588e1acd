"""A whole sync as a job: start, progress, cancel, result — for the CLI and the GUI.

Phases, each stopping the sync at the first failure before it changes local
data further:

1. re-send batches left in the outbox (a lost acknowledgement: the server
   answers with the stored result of that operation id);
2. upload blobs of unpushed evidence and patrol tracks (bundled or chunked and resumable) in
   worker threads, while
3. pushing dirty records in batches, each written to the outbox before
   sending and acknowledged in one transaction; a batch waits only until the
   server confirmed the blobs of its own evidence and patrols; one request
   at a time, in order, from a sender thread, while this thread makes the
   next batch ready and records the answer to the one before;
4. zone layers: download the layers the server published since the last sync
   (verified by SHA-256), then apply them in one transaction
   (:mod:`sync.zone_sync`);
5. pull: first retry the records kept in quarantine, then pages after the
   cursor, leaving out the versions the device holds already (its own just
   pushed: ``skip``): blobs first, then the page and the new cursor in one transaction;
   a record the device cannot apply is quarantined (:mod:`sync.quarantine`)
   and the rest of the page still applies;
6. verify: the server compares the records (revisions and content hashes)
   and blobs this device holds with what it holds in the user's scope,
   leaving out records with unpushed edits and quarantined ones
   (``verify_left_out``).

The report also carries what the zone and pull phases changed in the
workspace (``changes``: kinds of record and cases), so the GUI refreshes
exactly those.

:class:`SyncJob` runs :meth:`SyncJob.run` in its own thread with its own
workspace connection when started with :meth:`SyncJob.start`; the caller's
thread never blocks. Progress goes to a callback ``(phase, done, total)``;
:meth:`SyncJob.cancel` sets a ``threading.Event`` checked between requests.
"""
from __future__ import annotations

import threading
import uuid as uuid_lib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional

from inspector.store.changes import Changes, Outcome, recording
from inspector.store.record_store import pending_changes
from inspector.store.workspace import Workspace
from sync import blob_transfer, local_store, quarantine, zone_sync
from sync.client import SyncClient
from sync.errors import RequestRefused, SyncCancelled
from sync.protocol import (
    MAX_PULL_PAGE,
    MAX_PUSH_RECORDS,
    PushBatch,
    PushResult,
    RecordResult,
    ServerRecord,
    VerifyRequest,
    blob_of,
    seq_ranges,
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Sent:
    """A push batch on its way: the request's answer to come, and the local revisions it was made from."""

    future: Future[PushResult]
    revisions: dict[str, int]


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    blobs_uploaded: int = 0
    blobs_downloaded: int = 0
    pending: int = 0
    held_local: int = 0  # pulled records not applied because this device has unpushed edits of them
    zones_updated: int = 0  # zone layers downloaded and applied
    clock_skew_s: Optional[float] = None
    verified: Optional[bool] = None
    verify_detail: dict[str, Any] = field(default_factory=dict)
    cursor: int = 0
    # One entry per pushed record as the server answered it: uuid, kind, status (applied / conflict /
    # rejected), reason (in this device's language; reason_zh and reason_en beside it), conflict_id.
    # The GUI lists them; as_dict() keeps only the refused ones.
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    # Pulled records this device could not apply, all of this server's (see sync.quarantine.entries):
    # uuid, kind, server_revision, reason, first_seen, last_seen, case_no, content.
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    quarantined_new: int = 0  # how many of them this sync set aside for the first time
    verify_left_out: list[str] = field(default_factory=list)  # quarantined UUIDs the end check left out
    # What the zone and pull phases changed in the workspace (kinds, cases), for views to refresh exactly
    # that; kept even when a later phase failed. Not part of as_dict().
    changes: Changes = field(default_factory=Changes, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data; per-record answers only for the records the server refused."""
        data = asdict(replace(self, changes=Changes()))
        del data["changes"]
        data["refused"] = [r for r in data.pop("records") if r["status"] != "applied"]
        return data


def _answer_entry(answer: RecordResult) -> dict[str, Any]:
    """A pushed record's answer for the report, its reason in this device's language and in both."""
    entry = answer.model_dump(include={"uuid", "kind", "status", "conflict_id"})
    reason = answer.reason_message()
    entry.update(reason.fields() if reason is not None else {"reason": None})
    return entry


class SyncJob:
    """One sync of a workspace folder with a server; see the module docstring."""

    def __init__(self, workspace_root: Path, client: SyncClient, *, actor: str,
                 progress: Optional[Progress] = None, batch_size: int = MAX_PUSH_RECORDS,
                 page_size: int = MAX_PULL_PAGE) -> None:
        self.root = Path(workspace_root)
        self.client = client
        self.actor = actor
        self.progress = progress
        self.batch_size = batch_size
        self.page_size = page_size
        self.cancel_event = threading.Event()
        self.report = SyncReport()
        self.error: Optional[BaseException] = None
        self._thread: Optional[threading.Thread] = None
        self._pushed: set[tuple[str, int]] = set()  # (uuid, change number) of the versions this sync's pushes made

    # -- job control -------------------------------------------------------------
    def start(self) -> threading.Thread:
        """Run the sync in a background thread; poll :meth:`done` or :meth:`wait`."""
        def target() -> None:
            try:
                self.run()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through .error
                self.error = exc

        self._thread = threading.Thread(target=target, name="inspector-sync", daemon=True)
        self._thread.start()
        return self._thread

    def cancel(self) -> None:
        self.cancel_event.set()

    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def wait(self, timeout: Optional[float] = None) -> SyncReport:
        """Wait for a started job; raises its error, if any."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.report

    def _tell(self, phase: str, done: int, total: int) -> None:
        if self.cancel_event.is_set():
            raise SyncCancelled()
        if self.progress is not None:
            self.progress(phase, done, total)

    # -- the sync ----------------------------------------------------------------
    def run(self) -> SyncReport:
        with Workspace.open(self.root) as ws:
            self._resend_outbox(ws)
            self._tell("blobs", 0, 1)
            with blob_transfer.BlobUploads(self.client, ws, cancel=self.cancel_event) as uploads:
                self._push(ws, uploads)
                self.report.blobs_uploaded = uploads.finish()
            self._zones(ws)
            self._pull(ws)
            self._verify(ws)
            self.report.pending = pending_changes(ws.conn)
        self.report.clock_skew_s = self.client.clock_skew_s
        return self.report

    def _count(self, result: PushResult, counts: dict[str, int]) -> None:
        self._pushed.update((a.uuid, a.server_seq) for a in result.results if a.status == "applied" and a.server_seq)
        self.report.records += [_answer_entry(answer) for answer in result.results]
        self.report.pushed += counts["applied"]
        self.report.conflicts += counts["conflict"]
        self.report.rejected += counts["rejected"]

    def _resend_outbox(self, ws: Workspace) -> None:
        for operation_id, batch_json, local_revisions in local_store.outbox(ws, self.client.server_url):
            self._tell("push", 0, 1)
            result = self.client.push(PushBatch(**batch_json))
            self._count(result, local_store.acknowledge(ws, result, local_revisions))

    def _push(self, ws: Workspace, uploads: blob_transfer.BlobUploads) -> None:
        """Push the dirty records batch by batch, one request at a time and in order (a batch may name records
        of the one before). The requests go from a sender thread with its own connection, so that while the
        server works on batch N this thread gets batch N+1 ready (its blobs confirmed, written to the outbox)
        and, once N is answered and N+1 sent, records N's answer."""
        changes = local_store.dirty_changes(ws)
        sender = self.client.spawn()
        in_flight: Optional[Sent] = None
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="sync-push") as pool:
                try:
                    for start in range(0, len(changes), self.batch_size):
                        part = changes[start:start + self.batch_size]
                        uploads.wait_for(sha for change, _ in part if (sha := blob_of(change.kind, change.content)))
                        self._tell("push", start, len(changes))
                        batch = PushBatch(operation_id=str(uuid_lib.uuid4()), records=[change for change, _ in part])
                        revisions = {change.uuid: revision for change, revision in part}
                        local_store.write_outbox(ws, self.client.server_url, batch.operation_id,
                                                 batch.model_dump(mode="json"), revisions)
                        answered, in_flight = in_flight, None
                        if answered is not None:
                            answered.future.result()  # the next batch goes only once this one is answered
                        in_flight = Sent(pool.submit(sender.push, batch), revisions)
                        if answered is not None:
                            self._record(ws, answered)
                except BaseException:
                    if in_flight is not None and in_flight.future.exception() is None:
                        self._record(ws, in_flight)  # answered: recorded now, not re-sent from the outbox
                    raise
                if in_flight is not None:
                    self._record(ws, in_flight)
        finally:
            if self.client.clock_skew_s is None:
                self.client.clock_skew_s = sender.clock_skew_s
            sender.close()

    def _record(self, ws: Workspace, sent: "Sent") -> None:
        """Apply the server's answer to a sent batch (raises the request's error)."""
        result = sent.future.result()
        self._count(result, local_store.acknowledge(ws, result, sent.revisions))

    def _zones(self, ws: Workspace) -> None:
        self._tell("zones", 0, 1)
        with recording(ws.conn) as journal:
            applied = zone_sync.update_zone_layers(self.client, ws, cancel=self.cancel_event,
                                                   tick=lambda done, total: self._tell("zones", done, total))
        self.report.zones_updated += len(applied)
        self.report.changes |= journal.changes

    def _blobs_for(self, ws: Workspace, records: list[ServerRecord]) -> dict[str, int]:
        """Download the blobs of pulled evidence; ``{sha256: size}`` of those now in the media store. A blob
        the server refuses to serve is left out: its evidence is then quarantined, not the sync stopped."""
        sizes: dict[str, int] = {}
        for sha in local_store.evidence_blobs_needed(ws, records):
            try:
                sizes.update(blob_transfer.download(self.client, ws, [sha], cancel=self.cancel_event))
            except RequestRefused:
                continue
            self.report.blobs_downloaded += 1
        return sizes

    def _pulled(self, counts: Outcome) -> None:
        self.report.pulled += counts["applied"]
        self.report.held_local += counts["held"]
        self.report.quarantined_new += counts["quarantined_new"]
        self.report.changes |= counts.changes

    def _pull(self, ws: Workspace) -> None:
        """Retry the quarantine once, then apply pages after the cursor; a record that cannot be applied is
        quarantined and the rest of its page still applies (:mod:`sync.quarantine`)."""
        server_url, actor = self.client.server_url, f"sync:{self.actor}"
        since = local_store.cursor(ws, server_url)
        self._tell("pull", since, since)
        kept = local_store.quarantined_records(ws, server_url)
        if kept:
            self._pulled(local_store.retry_quarantined(ws, server_url, actor, self._blobs_for(ws, kept)))
        # the versions this sync pushed and this device still holds as they are: not fetched again
        held = {seq for _, seq in self._pushed.intersection(local_store.held_versions(ws, since))}
        while True:
            self._tell("pull", since, since)
            page = self.client.changes(since, self.page_size, seq_ranges([s for s in held if s > since]))
            sizes = self._blobs_for(ws, [*page.parents, *page.changes])
            self._tell("pull", since, page.next_cursor)
            self._pulled(local_store.apply_page(ws, server_url, page, actor, sizes))
            since = page.next_cursor
            self.report.cursor = since
            if not page.has_more:
                break
        self.report.quarantined = quarantine.entries(ws.conn, server_url)

    def _verify(self, ws: Workspace) -> None:
        self._tell("verify", 0, 1)
        blobs = [r[0] for r in ws.conn.execute(
            "SELECT sha256 FROM evidence WHERE dirty = 0 AND base_revision IS NOT NULL UNION SELECT track_sha256 "
            "FROM patrols WHERE dirty = 0 AND base_revision IS NOT NULL AND track_sha256 IS NOT NULL")]
        server_url = self.client.server_url
        left_out = quarantine.quarantined_uuids(ws.conn, server_url)
        held = local_store.held_records(ws) + quarantine.skipped_tombstones(ws.conn, server_url)
        result = self.client.verify(VerifyRequest(records=held, pending=local_store.pending_uuids(ws) + left_out,
                                                  blobs=blobs, content_hashes=local_store.held_content_hashes(ws)))
        self.report.verify_left_out = left_out
        self.report.verified = result.ok
        if not result.ok:
            self.report.verify_detail = result.model_dump(exclude={"server_time"})


def run_sync(workspace_root: Path, client: SyncClient, *, actor: str,
             progress: Optional[Progress] = None) -> SyncReport:
    """Run a sync in the calling thread (the CLI's way); raises :class:`SyncError` subclasses."""
    return SyncJob(workspace_root, client, actor=actor, progress=progress).run()
