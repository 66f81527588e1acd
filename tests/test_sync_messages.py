"""Sync errors and the server's per-record reasons in Chinese and English (issue 12, item 6).

The client's errors say what happened and what to do in both languages (a wrong password, a 429 backoff with
the wait the server named, an expired login), the server answers each refused record with ``reason_zh`` and
``reason_en`` beside the English ``reason`` older clients read — also when it replays a stored answer — and
:class:`inspector.errors.Message`, the one form they all share, behaves as the messages rely on.
"""
from __future__ import annotations

import uuid as uuid_lib

import pytest

from inspector.errors import BadInput, InspectorError, InvalidValue, Message
from sync.client import SyncClient
from sync.errors import AuthError, LoginRefused, RequestRefused, SyncError
from sync.protocol import PushBatch, RecordChange, RecordResult
from sync.server.auth import revoke_tokens
from sync.server.login_guard import FREE_FAILURES
from tests.sync_fixtures import PASSWORD, api, client_workspace, db_url, server, sync  # noqa: F401

STAMP = "2026-01-01T00:00:00Z"


def test_message_type():
    message = Message("坐标为空", "the coordinate is empty")
    assert message.in_language("en") == message.en and message.in_language("zh") == message.zh
    assert str(message) == message.text == "坐标为空"  # the tests' default language
    assert message.fields() == {"reason": "坐标为空", "reason_zh": "坐标为空", "reason_en": "the coordinate is empty"}
    assert Message.from_fields(message.fields("error"), "error") == message
    assert Message.from_fields({"reason": "blob not uploaded yet"}) == Message("blob not uploaded yet",
                                                                               "blob not uploaded yet")
    assert Message.from_fields({"reason": None}) is None
    detailed = Message.joined([message, Message("无效", "invalid")]).detailed("GDAL: 1")
    assert detailed == Message("坐标为空；无效（GDAL: 1）", "the coordinate is empty; invalid (GDAL: 1)")
    assert message.prefixed("发现时间：", "discovered on: ").en == "discovered on: the coordinate is empty"
    refused = InvalidValue(message)
    assert isinstance(refused, ValueError) and isinstance(refused, BadInput) and refused.exit_code == 2
    assert (refused.zh, refused.en, str(refused)) == (message.zh, message.en, message.zh)
    assert InspectorError("只有中文").en == "只有中文"
    assert isinstance(SyncError(message), InspectorError)


def test_wrong_password_then_backoff_say_so_in_both_languages(server):  # noqa: F811
    client = SyncClient(server.url)
    try:
        for _ in range(FREE_FAILURES["user"]):
            with pytest.raises(LoginRefused) as refused:
                client.login("inspector_a", "a wrong guess", remember=False)
            assert refused.value.status == 401 and refused.value.is_auth()
            assert "用户名或密码错误" in refused.value.zh and "wrong user name or password" in refused.value.en
        with pytest.raises(RequestRefused) as blocked:
            client.login("inspector_a", PASSWORD, remember=False)
    finally:
        client.close()
    wait = blocked.value.retry_after_s
    assert blocked.value.status == 429 and wait is not None and wait >= 1
    assert f"登录失败次数过多，请 {wait} 秒后再试" in blocked.value.zh
    assert f"too many failed logins; try again in {wait} s" in blocked.value.en
    assert str(blocked.value) == blocked.value.zh


def test_an_expired_login_says_to_log_in_again_in_both_languages(server, tmp_path):  # noqa: F811
    a = client_workspace(tmp_path / "a", server.url, "inspector_a")
    revoke_tokens(server.storage, "inspector_a")
    with pytest.raises(AuthError) as failure:
        sync(a)
    assert failure.value.status == 401 and not isinstance(failure.value, LoginRefused)
    assert "请重新登录" in failure.value.zh and "log in again" in failure.value.en


def _wrong_role_move(case_uuid: str) -> RecordChange:
    return RecordChange(kind="transitions", uuid=str(uuid_lib.uuid4()), content={
        "case_uuid": case_uuid, "action": "现场核查", "from_state": "待核查", "to_state": "现场核查",
        "actor": "inspector_a", "role": "reviewer", "reason": None, "at_utc": STAMP, "revision": 1,
        "created_at": STAMP, "updated_at": STAMP})


def test_refused_records_carry_their_reason_in_both_languages(server):  # noqa: F811
    client = api(server.url, "inspector_a")
    try:
        case = next(r for r in client.changes(0, 1000).changes if r.content.get("case_no") == "LD-001")
        incomplete = RecordChange(kind="findings", uuid=str(uuid_lib.uuid4()), content={"case_uuid": case.uuid})
        batch = PushBatch(operation_id=str(uuid_lib.uuid4()), records=[_wrong_role_move(case.uuid), incomplete])
        first = client.push(batch)
        again = client.push(batch)  # a lost acknowledgement: the stored answer, reasons and all
    finally:
        client.close()
    assert again.replayed and again.results == first.results
    role, schema = first.results
    assert role.status == schema.status == "rejected"
    assert role.reason == role.reason_en == "transition role 'reviewer' is not your role (inspector)"
    assert role.reason_zh == "流转的角色 'reviewer' 不是你的角色（inspector）"
    assert "observed_at_utc: required field missing" in schema.reason_en
    assert "observed_at_utc：缺少必填字段" in schema.reason_zh and "activity_type：缺少必填字段" in schema.reason_zh
    assert role.reason_message() == Message(role.reason_zh, role.reason_en)
    assert RecordResult(uuid=case.uuid, kind="cases", status="applied").reason_message() is None
