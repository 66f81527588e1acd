"""The sync client's errors: a small hierarchy with predicates the GUI and the job act on.

- :class:`NetworkError`: the server could not be reached or the connection broke
  (retryable); :class:`UntrustedServer` is a TLS failure (not retryable: the
  certificate is not the configured CA's, and no token was sent);
- :class:`AuthError`: no token, or the server refused it (revoked, expired):
  log in again; local data is kept;
- :class:`ConflictError`: the server refused a request as conflicting (409);
- :class:`ServerError`: the server failed (5xx; retryable);
- :class:`RequestRefused`: the server refused the request itself (400/403/404/413/422/429);
- :class:`UnsafeServerURL`: the server address is not one a token may be sent to
  (plain ``http://`` to another machine, no host, another scheme); it carries
  the reason in Chinese and English (``zh``, ``en``);
- :class:`SyncCancelled`: the user cancelled the job.
"""
from __future__ import annotations

from typing import Optional


class SyncError(Exception):
    """Base class; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status

    def is_retryable(self) -> bool:
        return False

    def is_auth(self) -> bool:
        return False


class NetworkError(SyncError):
    def is_retryable(self) -> bool:
        return True


class UntrustedServer(NetworkError):
    def is_retryable(self) -> bool:
        return False


class AuthError(SyncError):
    def is_auth(self) -> bool:
        return True


class ConflictError(SyncError):
    pass


class ServerError(SyncError):
    def is_retryable(self) -> bool:
        return True


class RequestRefused(SyncError):
    pass


class UnsafeServerURL(SyncError):
    def __init__(self, zh: str, en: str) -> None:
        from inspector.i18n import pick

        super().__init__(pick(zh, en))
        self.zh, self.en = zh, en


class SyncCancelled(SyncError):
    pass


class VerificationFailed(SyncError):
    """The end-of-sync check found that client and server hold different records or blobs."""
