"""Users, passwords, bearer tokens and the jurisdiction scope of every query.

Passwords are stored as scrypt hashes with a random salt, hashed and checked by the core's
:mod:`inspector.accounts.passwords` (the one implementation devices use for local accounts too). A login costs one
scrypt whether or not the user exists (an unknown name is checked against
:data:`NO_USER_HASH`), so its timing does not tell which names exist; failed
logins earn a backoff (:mod:`sync.server.login_guard`). A login returns a
random token; only its SHA-256 is stored, so a copy of the database cannot
be used to act as anyone. A token expires after the server's token lifetime
and is revoked by ``revoke-tokens`` and by a password change.

A user's scope comes from the jurisdiction adcode the *server* stores for
them (province ``320000``: all of Jiangsu; a city ``3209xx`` ending in
``00``: that city; otherwise a county) and is applied to records by the
adcodes the server assigned to each case — never by anything a client sends.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from inspector.accounts.passwords import check_password, hash_password
from inspector.casework.authority import PROVINCE_ADCODE, covers, jurisdiction_level
from sync.protocol import ROLES
from sync.server import login_guard
from sync.server.storage import Storage, server_now, tokens, user_profiles, users, utc_text

TOKEN_BYTES = 32  # random bytes per bearer token
DEFAULT_TOKEN_TTL_HOURS = 12.0  # hours a token is valid after login (``serve --token-ttl-hours``)
MAX_TOKEN_TTL_HOURS = 24 * 366.0  # hours: the longest token lifetime a server may be given
LOCAL_ADDRESS = "local"  # the address of logins made in-process rather than over the network
# The hash an unknown user name's password is checked against: the same cost as a real one, matching nothing
# (its password was random and is forgotten).
NO_USER_HASH = ("scrypt$MgjIA9nwqO0zLK47xJt6Hw==$nVNyZY8xlfPrh2+3pkaCLJD4skMniW/QvTqxwpgWzWHd/ei6Fg165mer30mU5/"
                "KFtYrEnXdetaHdhUE24qCL+A==")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    jurisdiction: str
    display_name: Optional[str] = None  # the name printed on forms; the account name when none was given

    @property
    def level(self) -> str:
        return jurisdiction_level(self.jurisdiction)

    def covers(self, city_adcode: Optional[str], county_adcode: Optional[str]) -> bool:
        """Whether a record attributed to this city/county is inside the user's jurisdiction."""
        return covers(self.jurisdiction, city_adcode, county_adcode)

    def scope_clause(self, table: sa.Table) -> Any:
        """A WHERE clause restricting ``table`` (with city/county adcode columns) to this user."""
        if self.level == "province":
            return sa.true() if self.jurisdiction == PROVINCE_ADCODE else sa.false()
        if self.level == "city":
            return table.c.city_adcode == self.jurisdiction
        return table.c.county_adcode == self.jurisdiction


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(storage: Storage, name: str, role: str, jurisdiction: str, password: str,
             display_name: Optional[str] = None) -> User:
    """Create or update a user (role, jurisdiction, password, and the display name when given). Updating an
    existing user sets a new password, which revokes every token they hold."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not jurisdiction.startswith("32"):
        raise ValueError("jurisdiction must be a Jiangsu adcode (32xxxx)")
    jurisdiction_level(jurisdiction)
    if not name.strip() or not password:
        raise ValueError("user name and password must not be empty")
    values = {"role": role, "jurisdiction": jurisdiction, "password_hash": hash_password(password)}
    with storage.write() as conn:
        row = conn.execute(sa.select(users.c.id).where(users.c.name == name)).first()
        if row is None:
            user_id = conn.execute(users.insert().values(name=name, created_at=server_now(), **values)
                                   ).inserted_primary_key[0]  # type: ignore[index]  # a one-row INSERT has its key
        else:
            user_id = row[0]
            conn.execute(users.update().where(users.c.id == user_id).values(**values))
            revoked = _revoke(conn, user_id)
            login_guard.log_event(conn, "password_changed", name, LOCAL_ADDRESS, f"{revoked} tokens revoked")
        if display_name and display_name.strip():
            conn.execute(user_profiles.delete().where(user_profiles.c.user_id == user_id))
            conn.execute(user_profiles.insert().values(user_id=user_id, display_name=display_name.strip()))
        display = conn.execute(sa.select(user_profiles.c.display_name)
                               .where(user_profiles.c.user_id == user_id)).scalar()
    return User(int(user_id), name, role, jurisdiction, display)


def login(storage: Storage, name: str, password: str, address: str = LOCAL_ADDRESS) -> tuple[User, str] | None:
    """A new token for valid credentials, else ``None``; raises :class:`login_guard.LoginThrottled` while the
    name or the address is blocked after failed logins."""
    now_s = time.time()
    with storage.write() as conn:
        wait_s = login_guard.blocked_for(conn, name, address, now_s)
        row = conn.execute(sa.select(users, user_profiles.c.display_name)
                           .select_from(users.outerjoin(user_profiles, user_profiles.c.user_id == users.c.id))
                           .where(users.c.name == name)).first()
    if wait_s is not None:
        raise login_guard.LoginThrottled(wait_s)
    valid = check_password(password, NO_USER_HASH if row is None else row.password_hash) and row is not None
    with storage.write() as conn:
        if not valid or row is None:
            login_guard.note_failure(conn, name, address, now_s)
            return None
        login_guard.note_success(conn, name, address)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        conn.execute(tokens.insert().values(token_hash=token_digest(token), user_id=row.id, created_at=server_now()))
    return User(row.id, row.name, row.role, row.jurisdiction, row.display_name), token


def user_for_token(conn: Connection, token: str, ttl_hours: float = DEFAULT_TOKEN_TTL_HOURS) -> User | None:
    """The user of a token that is neither revoked nor older than ``ttl_hours``."""
    issued_after = utc_text(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=ttl_hours))
    row = conn.execute(
        sa.select(users, user_profiles.c.display_name).join(tokens, tokens.c.user_id == users.c.id)
        .outerjoin(user_profiles, user_profiles.c.user_id == users.c.id)
        .where(tokens.c.token_hash == token_digest(token), tokens.c.revoked_at.is_(None),
               tokens.c.created_at > issued_after)
    ).first()
    return None if row is None else User(row.id, row.name, row.role, row.jurisdiction, row.display_name)


def _revoke(conn: Connection, user_id: int) -> int:
    result = conn.execute(tokens.update().where(tokens.c.user_id == user_id, tokens.c.revoked_at.is_(None))
                          .values(revoked_at=server_now()))
    return int(result.rowcount or 0)


def revoke_tokens(storage: Storage, name: str) -> int:
    """Revoke every token of a user; returns how many."""
    with storage.write() as conn:
        row = conn.execute(sa.select(users.c.id).where(users.c.name == name)).first()
        revoked = 0 if row is None else _revoke(conn, row[0])
        login_guard.log_event(conn, "tokens_revoked", name, LOCAL_ADDRESS, f"{revoked} tokens revoked")
    return revoked
