"""Local accounts of a standalone workspace: a bureau without a sync server signs its people in here.

An account has a name (its key), a display name (printed on forms and in
history), one or more roles (:data:`inspector.casework.statuses.ROLES`), a
jurisdiction adcode (province, city or county of Jiangsu) and the scrypt hash
of its password (:mod:`inspector.accounts.passwords`). A workspace that syncs
with a server keeps none: its accounts are the server's
(:func:`inspector.accounts.sign_in.server_owner`). Colleagues of one bureau
share a standalone workspace and its accounts, as they share a filing cabinet.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Optional

from inspector.accounts.passwords import check_password, hash_password
from inspector.casework.authority import jurisdiction_level
from inspector.casework.statuses import ROLES
from inspector.errors import BadInput
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, utc_now

MAX_NAME_CHARS = 64  # characters of an account name
MAX_DISPLAY_NAME_CHARS = 64  # characters of a display name
JIANGSU_PREFIX = "32"  # every Jiangsu adcode starts with this


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    roles: tuple[str, ...]
    jurisdiction: str
    created_at: str

    def as_dict(self) -> dict[str, object]:
        return {"user": self.name, "name": self.display_name, "roles": list(self.roles),
                "jurisdiction": self.jurisdiction, "level": jurisdiction_level(self.jurisdiction),
                "created_at": self.created_at}


def check_jurisdiction(adcode: str) -> str:
    """``adcode`` when it is a Jiangsu province, city or county code; :class:`BadInput` otherwise."""
    try:
        jurisdiction_level(adcode)
    except ValueError:
        adcode = adcode if isinstance(adcode, str) else ""
    if not adcode.startswith(JIANGSU_PREFIX) or not adcode.isdigit() or len(adcode) != 6:
        raise BadInput(f"辖区须为江苏的 6 位行政区划代码（32xxxx），而不是：{adcode!r}",
                       f"the jurisdiction must be a 6-digit Jiangsu adcode (32xxxx), not: {adcode!r}")
    return adcode


def _check_roles(roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(roles))
    unknown = [r for r in unique if r not in ROLES]
    if not unique or unknown:
        raise BadInput(f"角色须为 {'/'.join(ROLES)} 中的一个或多个（而不是：{'、'.join(unknown) or '无'}）",
                       f"roles must be one or more of {'/'.join(ROLES)} (not: {', '.join(unknown) or 'none'})")
    return unique


def _check_text(value: str, limit: int, zh: str, en: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit or not value.isprintable():
        raise BadInput(f"{zh}不能为空、不能含控制字符、不超过 {limit} 个字符",
                       f"the {en} must be non-empty printable text of at most {limit} characters")
    return value


def add_account(ws: Workspace, name: str, *, roles: list[str] | tuple[str, ...], jurisdiction: str,
                display_name: str, password: str) -> Account:
    """Create a local account, or update one (roles, jurisdiction, display name and a new password)."""
    from inspector.accounts.sign_in import server_owner

    owner = server_owner(ws)
    if owner is not None:
        raise BadInput(f"该工作空间与同步服务器 {owner[0]} 同步，账号由服务器管理：请在服务器上添加"
                       f"（inspector-server add-user），再用 inspector login --server 登录",
                       f"this workspace syncs with the server {owner[0]}: its accounts come from the server "
                       f"(inspector-server add-user; then inspector login --server)")
    name = _check_text(name, MAX_NAME_CHARS, "账号名", "account name")
    if name.startswith("device:"):
        raise BadInput("账号名不能以 device: 开头（保留给本机用户）",
                       "an account name must not start with device: (kept for the device's own user)")
    display_name = _check_text(display_name, MAX_DISPLAY_NAME_CHARS, "显示名", "display name")
    checked_roles = _check_roles(roles)
    check_jurisdiction(jurisdiction)
    if not password:
        raise BadInput("密码不能为空", "the password must not be empty")
    now = utc_now()
    with atomic(ws.conn):
        ws.conn.execute(
            "INSERT INTO accounts (name, display_name, roles, jurisdiction, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name, "
            "roles = excluded.roles, jurisdiction = excluded.jurisdiction, password_hash = excluded.password_hash",
            (name, display_name, json.dumps(list(checked_roles)), jurisdiction, hash_password(password), now))
    found = find_account(ws, name)
    assert found is not None  # just written in this connection
    return found


def _account(row: tuple[str, str, str, str, str]) -> Account:
    name, display_name, roles, jurisdiction, created_at = row
    return Account(name, display_name, tuple(json.loads(roles)), jurisdiction, created_at)


def find_account(ws: Workspace, name: str) -> Optional[Account]:
    row = ws.conn.execute("SELECT name, display_name, roles, jurisdiction, created_at FROM accounts "
                          "WHERE name = ?", (name,)).fetchone()
    return None if row is None else _account(tuple(row))


def list_accounts(ws: Workspace) -> list[Account]:
    rows = ws.conn.execute("SELECT name, display_name, roles, jurisdiction, created_at FROM accounts "
                           "ORDER BY name").fetchall()
    return [_account(tuple(r)) for r in rows]


def has_local_accounts(ws: Workspace) -> bool:
    return ws.conn.execute("SELECT EXISTS (SELECT 1 FROM accounts)").fetchone()[0] == 1


@cache
def _no_account_hash() -> str:
    """What an unknown name's password is checked against, so that a sign-in takes as long for any name."""
    return hash_password("")


def authenticate(ws: Workspace, name: str, password: str) -> Optional[Account]:
    """The account when ``password`` is its password, else ``None`` (one scrypt either way)."""
    row = ws.conn.execute("SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
    valid = check_password(password, _no_account_hash() if row is None else row[0])
    return find_account(ws, name) if valid and row is not None else None
