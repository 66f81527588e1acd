"""The sync client's errors: a small hierarchy with predicates the GUI and the job act on.

Every sync error is an :class:`inspector.errors.InspectorError`: it carries a
:class:`~inspector.errors.Message` in Chinese and English that says what
happened and what to do (the server's or the library's own English words
appended in brackets), ``str()`` gives it in the current language, and the
GUI shows it in the UI language.

- :class:`NetworkError`: the server could not be reached or the connection broke
  (retryable); :class:`UntrustedServer` is a TLS failure (not retryable: the
  certificate is not the configured CA's, and no token was sent);
- :class:`AuthError`: no token, or the server refused it (revoked, expired):
  log in again; local data is kept; :class:`LoginRefused`: the server refused
  a user name and password;
- :class:`ConflictError`: the server refused a request as conflicting (409);
- :class:`ServerError`: the server failed (5xx; retryable);
- :class:`RequestRefused`: the server refused the request itself (400/403/404/413/422/429;
  ``retry_after_s`` when the server said how long to wait);
- :class:`UnsafeServerURL`: the server address is not one a token may be sent to
  (plain ``http://`` to another machine, no host, another scheme);
- :class:`SyncCancelled`: the user cancelled the job.
"""
from __future__ import annotations

from typing import Optional

from inspector.errors import InspectorError, Message

CANCELLED = Message("同步已取消", "sync cancelled")


class SyncError(InspectorError):
    """Base class; ``status`` is the HTTP status when there was one. A subclass says what the user can do
    through its class attributes, which the predicates report."""

    retryable = False  # trying again later may work (the network, a server failure)
    auth = False  # the user has to log in (again)

    def __init__(self, zh: str | Message, en: Optional[str] = None, *, status: Optional[int] = None) -> None:
        super().__init__(zh, en)
        self.status = status

    def is_retryable(self) -> bool:
        return self.retryable

    def is_auth(self) -> bool:
        return self.auth


class NetworkError(SyncError):
    retryable = True


class UntrustedServer(NetworkError):
    retryable = False


class AuthError(SyncError):
    auth = True


class LoginRefused(AuthError):
    """The server refused the user name and password (401 on login)."""


class ConflictError(SyncError):
    pass


class ServerError(SyncError):
    retryable = True


class RequestRefused(SyncError):
    def __init__(self, zh: str | Message, en: Optional[str] = None, *, status: Optional[int] = None,
                 retry_after_s: Optional[int] = None) -> None:
        super().__init__(zh, en, status=status)
        self.retry_after_s = retry_after_s  # seconds the server asked to wait (429 Retry-After)


class UnsafeServerURL(SyncError):
    pass


class SyncCancelled(SyncError):
    def __init__(self, zh: str | Message = CANCELLED, en: Optional[str] = None) -> None:
        super().__init__(zh, en)


class VerificationFailed(SyncError):
    """The end-of-sync check found that client and server hold different records or blobs."""
