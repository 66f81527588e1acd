"""Failed-login backoff per user name and per client address, and the server's security event log.

Both live in the database (``login_throttle``, ``security_events``), so every
server process — on one machine or several — sees the same counts and blocks.

Once a user name (tried, whether or not it exists) or an address has failed
:data:`FREE_FAILURES` times in a row, logins for it are blocked for
:data:`FIRST_BLOCK_S`, and each further failure doubles the block, up to
:data:`LONGEST_BLOCK_S`. While blocked, a login is refused with 429 and a
``Retry-After`` before any password is checked — the right password too — and
the refusal is counted on the block, not logged one row per request (an
attacker must not be able to fill the log). Blocked attempts do not extend a
block, so a legitimate user waits at most the current block. A successful
login clears its user name's failures (not its address's); any name's or
address's failures are forgotten :data:`FORGET_AFTER_S` after the last one
(and its row is then pruned).

Events: ``login_failed``, ``login_blocked`` (a block starts: user name or
address, seconds), ``login`` (success), ``password_changed`` and
``tokens_revoked`` (with the number of tokens).
"""
from __future__ import annotations

import math
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.storage import insert_new, login_throttle, security_events, server_now

FREE_FAILURES = {"user": 5, "address": 30}  # failed logins before backoff starts (an office may share an address)
FIRST_BLOCK_S = 5.0  # seconds of the first block; each further failure doubles it
LONGEST_BLOCK_S = 15 * 60.0  # seconds: the longest block
FORGET_AFTER_S = 60 * 60.0  # seconds without a failure after which a name's or address's count starts over
NAME_CHARS = 200  # longest user name kept (the column's width)
ADDRESS_CHARS = 64  # longest client address kept (an IPv6 address has at most 45)


class LoginThrottled(Exception):
    """Too many failed logins for this user name or from this address (HTTP 429)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def log_event(conn: Connection, event: str, user_name: Optional[str], address: Optional[str],
              detail: Optional[str] = None) -> None:
    conn.execute(security_events.insert().values(
        at=server_now(), event=event, user_name=None if user_name is None else user_name[:NAME_CHARS],
        address=None if address is None else address[:ADDRESS_CHARS], detail=detail))


def _keys(user_name: str, address: str) -> list[tuple[str, str]]:
    return [("user", user_name[:NAME_CHARS]), ("address", address[:ADDRESS_CHARS])]


def blocked_for(conn: Connection, user_name: str, address: str, now_s: float) -> Optional[int]:
    """Seconds to wait when the name or the address is blocked (the refusal is counted), else ``None``."""
    waits = []
    for scope, key in _keys(user_name, address):
        row = conn.execute(sa.select(login_throttle.c.blocked_until_s).where(
            login_throttle.c.scope == scope, login_throttle.c.key == key)).first()
        if row is not None and row.blocked_until_s > now_s:
            waits.append(row.blocked_until_s - now_s)
            conn.execute(login_throttle.update().where(login_throttle.c.scope == scope, login_throttle.c.key == key)
                         .values(refused=login_throttle.c.refused + 1))
    return max(1, math.ceil(max(waits))) if waits else None


def note_failure(conn: Connection, user_name: str, address: str, now_s: float) -> None:
    """Count a failed login for the name and the address; start a block when one has failed too often."""
    log_event(conn, "login_failed", user_name, address)
    conn.execute(login_throttle.delete().where(  # forgotten names and addresses: the table stays small
        login_throttle.c.last_failure_s < now_s - FORGET_AFTER_S, login_throttle.c.blocked_until_s < now_s))
    for scope, key in _keys(user_name, address):
        where = (login_throttle.c.scope == scope, login_throttle.c.key == key)
        insert_new(conn, login_throttle, [{"scope": scope, "key": key, "failures": 0, "last_failure_s": now_s,
                                           "blocked_until_s": 0.0, "refused": 0}])
        stale = login_throttle.c.last_failure_s < now_s - FORGET_AFTER_S
        conn.execute(login_throttle.update().where(*where).values(  # one statement: concurrent failures all count
            failures=sa.case((stale, 1), else_=login_throttle.c.failures + 1), last_failure_s=now_s))
        # None: a concurrent failure pruned the row as forgotten, so this failure is the first again
        failures = conn.execute(sa.select(login_throttle.c.failures).where(*where)).scalar() or 1
        beyond = failures - FREE_FAILURES[scope]
        if beyond >= 0:
            block_s = min(LONGEST_BLOCK_S, FIRST_BLOCK_S * 2 ** min(beyond, 30))
            conn.execute(login_throttle.update().where(*where).values(blocked_until_s=now_s + block_s))
            log_event(conn, "login_blocked", user_name if scope == "user" else None, address,
                      f"{scope} blocked for {block_s:g} s after {failures} failed logins")


def note_success(conn: Connection, user_name: str, address: str) -> None:
    """A successful login: the name's failures are cleared (the address's are not: one valid account must not
    reset the count of an address guessing others')."""
    log_event(conn, "login", user_name, address)
    conn.execute(login_throttle.delete().where(login_throttle.c.scope == "user",
                                               login_throttle.c.key == user_name[:NAME_CHARS]))
