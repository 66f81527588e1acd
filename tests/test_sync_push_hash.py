"""The push's hashes made once per record: the batch's request hash and each record's content hash and stored text
are exactly what hashing the whole batch and each content on its own gives — for plain, Chinese, emoji, escaped and
not-valid-Unicode text, missing base revisions, tombstones, records gaining added fields, and numbers JSON has no
text for (which take the long way).
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid as uuid_lib

from sync.protocol import RECORD_KINDS, PushBatch, RecordChange, canonical_json, content_hash, with_added_fields
from sync.server.records import canonical_contents, prepare, request_hash


def _whole_batch_hash(batch: PushBatch) -> str:
    """The request hash as the server made it before the records' canonical texts were reused."""
    return hashlib.sha256(canonical_json(batch.model_dump(mode="json")).encode("utf-8", "surrogatepass")).hexdigest()


def _change(kind: str, content: dict, **fields) -> RecordChange:
    return RecordChange(kind=kind, uuid=str(uuid_lib.uuid4()), content=content, **fields)


CONTENTS = [
    {"case_uuid": "c", "description": "养殖塘 🐟 \"quoted\" \\ back\nline", "lon": 120.5, "lat": 33.25, "n": 10**20},
    {"z": None, "a": [1, 2.5, {"b": True}], "nested": {"y": "ü", "x": ""}},
    {"description": "\ud800 lone surrogate"},
    {},
]


def test_request_hash_is_the_whole_batch_hash():
    assert all(re.fullmatch("[a-z_]+", kind) for kind in RECORD_KINDS)  # written into the hash unescaped
    records = [_change(kind, content, base_revision=base, deleted=deleted) for kind in RECORD_KINDS
               for content in CONTENTS for base in (None, 3) for deleted in (False, True)]
    records.append(RecordChange.model_validate({"kind": "findings", "uuid": "\u00e9\"" * 18, "base_revision": True,
                                                "deleted": 1, "content": {}}))  # coerced: 1 and true
    for batch in (PushBatch(operation_id="op-" + "x" * 20, records=records[-500:]),
                  PushBatch(operation_id="引号\"和\\反斜杠-op", records=records[:1]),
                  PushBatch(operation_id="empty-batch", records=[])):
        contents = canonical_contents(batch)
        assert all(text is not None for text in contents)
        assert request_hash(batch, contents) == _whole_batch_hash(batch)


def test_numbers_without_json_text_take_the_long_way():
    batch = PushBatch(operation_id="not-a-number", records=[_change("findings", {"lon": float("nan")}),
                                                            _change("findings", {"lon": float("inf")}),
                                                            _change("findings", CONTENTS[0])])
    contents = canonical_contents(batch)
    assert contents[:2] == [None, None] and contents[2] is not None
    assert request_hash(batch, contents) == _whole_batch_hash(batch)


def test_prepared_hash_and_text_are_the_contents_own():
    evidence = {"case_uuid": "c", "sha256": "0" * 64, "kind": "photo"}
    assert with_added_fields("evidence", evidence) != evidence  # this one gains fields on the server
    complete = with_added_fields("findings", CONTENTS[0])  # gains nothing: its canonical text is reused
    for change in [_change("findings", complete), _change("findings", CONTENTS[0]), _change("findings", CONTENTS[1]),
                   _change("evidence", evidence), _change("evidence", evidence, deleted=True),
                   _change("findings", {"lon": float("nan")})]:
        (canonical,) = canonical_contents(PushBatch(operation_id="one-record", records=[change]))
        stored = change.content if change.deleted else with_added_fields(change.kind, change.content)
        for prepared in (prepare(change, canonical), prepare(change)):
            assert prepared.change.content == stored and prepared.change.uuid == change.uuid
            assert prepared.content_hash == content_hash(stored)
            assert prepared.content_json == json.dumps(stored, ensure_ascii=False)
