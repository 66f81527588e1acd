"""Profiles: where each server account works on this device — a folder name no account name can escape, and an
index that points back to an account's own workspace only while that workspace still belongs to it."""
from __future__ import annotations

import json

from inspector.accounts.local_accounts import add_account
from inspector.accounts.profiles import (
    INDEX_FILE,
    account_workspace_dir,
    profile_dir,
    profile_key,
    profiles_root,
    remember_account_workspace,
    works_here,
)
from inspector.accounts.sign_in import bind_server_account
from inspector.store.workspace import Workspace

SERVER = "https://sync.example.gov.cn:8443"


def test_profile_folder_is_per_server_host_and_user_and_stays_inside_the_profiles_folder(tmp_path):
    assert profile_key(SERVER, "inspector_a") == "sync.example.gov.cn_8443-inspector_a"
    assert profile_key("https://sync.example.gov.cn/", "a") != profile_key(SERVER, "a")
    hostile = ["../../etc", "a/b", "..", "张三", "a\\b", "x" * 300]
    keys = {profile_key(SERVER, name) for name in hostile}
    assert len(keys) == len(hostile)  # two names never share a folder
    for name in hostile:
        folder = profile_dir(SERVER, name)
        assert folder.resolve().parent.parent == profiles_root().resolve()
        assert str(profiles_root()).startswith(str(tmp_path))  # the test's own data dir


def test_the_index_points_back_only_to_a_workspace_the_account_still_owns(tmp_path):
    with Workspace.create(tmp_path / "a") as ws:
        assert works_here(ws, "a") and works_here(ws, "b")  # nobody's yet
        bind_server_account(ws, SERVER, "a")
        assert works_here(ws, "a") and not works_here(ws, "b")
        remember_account_workspace(ws)
    assert account_workspace_dir(SERVER, "a") == (tmp_path / "a").resolve()
    assert account_workspace_dir(SERVER, "b") == profile_dir(SERVER, "b")
    index = profiles_root() / INDEX_FILE
    forged = json.loads(index.read_text(encoding="utf-8"))
    forged[profile_key(SERVER, "b")] = str(tmp_path / "a")  # a's workspace claimed for b
    index.write_text(json.dumps(forged), encoding="utf-8")
    assert account_workspace_dir(SERVER, "b") == profile_dir(SERVER, "b")
    index.write_text("not json", encoding="utf-8")
    assert account_workspace_dir(SERVER, "a") == profile_dir(SERVER, "a")


def test_a_workspace_with_local_accounts_belongs_to_no_server_account(tmp_path):
    with Workspace.create(tmp_path / "bureau") as ws:
        add_account(ws, "clerk", roles=["inspector"], jurisdiction="320703", display_name="科员", password="pw")
        assert not works_here(ws, "a")
        remember_account_workspace(ws)  # a standalone workspace is in no account's index
    assert not (profiles_root() / INDEX_FILE).exists()
