"""The HTTP client of the sync protocol: one ``requests.Session``, explicit trust, timeouts, keyring tokens.

- ``trust_env = False``: ``REQUESTS_CA_BUNDLE``, ``HTTPS_PROXY``, ``.netrc``
  and friends in the environment cannot redirect the client or change whom
  it trusts;
- TLS is verified against the configured CA bundle (``verify=path``), or the
  system's default bundle when none is configured;
- every call has a ``(connect, read)`` timeout;
- a token is sent only over HTTPS, or plain HTTP to this machine (loopback):
  :func:`check_server_url` refuses any other address before a client exists;
- tokens live in the OS keyring (:mod:`sync.token_keyring`); there is no
  plaintext fallback — without a secure keyring, login fails with
  :class:`AuthError`.

Errors are mapped to :mod:`sync.errors`, each with what happened and what to
do in Chinese and English (the server's own words and the library's detail
appended): the status decides the message, a 429's ``Retry-After`` the wait it
names. The client also measures the clock skew between the device and the
server from ``X-Server-Time``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Optional, Protocol, Union
from urllib.parse import urlsplit

import requests

from inspector import __version__
from inspector.errors import Message
from sync.errors import (
    AuthError,
    ConflictError,
    LoginRefused,
    NetworkError,
    RequestRefused,
    ServerError,
    SyncError,
    UnsafeServerURL,
    UntrustedServer,
)
from sync.protocol import (
    API_PREFIX,
    SERVER_TIME_HEADER,
    AssignCaseNoResult,
    BlobManifest,
    BlobMissing,
    ConflictList,
    LoginResult,
    PullPage,
    PushBatch,
    PushResult,
    ResolveResult,
    ServerInfo,
    UploadState,
    VerifyRequest,
    VerifyResult,
    ZoneLayerList,
    format_ranges,
)
from sync.token_keyring import KEYRING_SERVICE, keyring_user, load_token, store_token

__all__ = ["SyncClient", "SyncError", "NetworkError", "UntrustedServer", "AuthError", "LoginRefused", "ConflictError",
           "ServerError", "RequestRefused", "UnsafeServerURL", "KEYRING_SERVICE", "keyring_user", "store_token",
           "load_token", "check_server_url"]

CONNECT_TIMEOUT_S = 5.0  # seconds to establish a connection
READ_TIMEOUT_S = 60.0  # seconds to wait for response bytes
DOWNLOAD_BUFFER_BYTES = 256 * 1024
LOOPBACK_NAMES = ("localhost",)  # host names that always mean this machine
MAX_DETAIL_CHARS = 300  # characters of the server's own words kept in an error message
LOGIN_PATH = "/login"
NOT_LOGGED_IN = Message("尚未登录同步服务器，请先登录（inspector login）",
                        "not logged in to the sync server: log in first (inspector login)")


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def check_server_url(server_url: str) -> str:
    """``server_url`` without a trailing slash, if a login token may be sent there: ``https://`` to any host,
    ``http://`` only to this machine (127.0.0.0/8, ::1, localhost); else :class:`UnsafeServerURL`."""
    try:
        parts = urlsplit(server_url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme not in ("https", "http") or not host:
        raise UnsafeServerURL(f"服务器地址无效：{server_url!r}（应为 https://主机[:端口]）",
                              f"not a server address: {server_url!r} (expected https://host[:port])")
    if parts.scheme == "http" and not _is_loopback(host):
        raise UnsafeServerURL(
            f"拒绝通过未加密的 http 连接 {host}：密码和登录令牌会以明文传输。请使用 https://（仅本机地址可用 http）",
            f"refusing plain http to {host}: the password and the login token would travel unencrypted; "
            "use https:// (http is allowed only for this machine: 127.0.0.1, ::1, localhost)")
    return server_url.rstrip("/")


REFUSALS = {  # status → why the server refused a request, in Chinese and English
    400: ("服务器认为请求无效", "the server found the request invalid"),
    403: ("服务器拒绝了请求：没有权限", "the server refused the request: not permitted"),
    404: ("服务器上没有找到所请求的内容", "not found on the server"),
    413: ("请求过大，服务器拒绝接收", "the request is too large for the server"),
    422: ("服务器认为请求的内容无效", "the server found the request's content invalid"),
}


def _retry_after_s(response: requests.Response) -> Optional[int]:
    """The wait a 429 names in ``Retry-After`` (seconds), if it names one."""
    text = response.headers.get("Retry-After", "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _backoff_message(login: bool, wait_s: Optional[int]) -> Message:
    """Too many attempts: when to try again (minutes from two minutes up)."""
    what = Message("登录失败次数过多", "too many failed logins") if login else \
        Message("请求过于频繁", "too many requests")
    if wait_s is None:
        return Message(f"{what.zh}，请稍后再试", f"{what.en}; try again later")
    if wait_s >= 120:
        minutes = -(-wait_s // 60)
        return Message(f"{what.zh}，请 {minutes} 分钟后再试", f"{what.en}; try again in {minutes} min")
    return Message(f"{what.zh}，请 {wait_s} 秒后再试", f"{what.en}; try again in {wait_s} s")


def _parse_time(text: str) -> Optional[dt.datetime]:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class SizedBody(Protocol):
    """A request body of known length sent as parts (e.g. :class:`sync.blob_transfer.BundleBody`)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes]: ...


class SyncClient:
    """Talks to one server as one user (``token`` from :meth:`login` or the keyring)."""

    def __init__(self, server_url: str, *, ca_bundle: Optional[str] = None, token: Optional[str] = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) -> None:
        self.server_url = check_server_url(server_url)
        self.base = self.server_url + API_PREFIX
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = str(ca_bundle) if ca_bundle else True
        self.session.headers["User-Agent"] = f"lvdun-inspector/{__version__} (sync)"
        self.clock_skew_s: Optional[float] = None  # server time minus device time

    def close(self) -> None:
        self.session.close()

    def spawn(self) -> "SyncClient":
        """A client for another thread: same server, trust, timeouts and token, its own connection pool
        (a ``requests.Session`` is not shared across threads). Close it when done."""
        other = SyncClient(self.server_url, token=self.token, timeout=self.timeout)
        other.session.verify = self.session.verify
        other.session.headers.update(self.session.headers)
        return other

    # -- transport ----------------------------------------------------------------
    def _request(self, method: str, path: str, *, authenticated: bool = True, stream: bool = False,
                 **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if authenticated:
            if not self.token:
                raise AuthError(NOT_LOGGED_IN)
            headers["Authorization"] = f"Bearer {self.token}"
        sent = time.time()
        try:
            response = self.session.request(method, self.base + path, headers=headers, timeout=self.timeout,
                                            stream=stream, allow_redirects=False, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise UntrustedServer(Message(
                f"服务器 {self.server_url} 的证书不可信（TLS 校验失败），未发送任何数据；请检查 CA 证书文件",
                f"the certificate of {self.server_url} is not trusted (TLS verification failed) and nothing was "
                "sent; check the CA certificate file").detailed(exc)) from exc
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise NetworkError(Message(f"无法连接同步服务器 {self.server_url}，请检查网络后再试",
                                       f"cannot reach the sync server {self.server_url}; check the network and "
                                       "try again").detailed(exc)) from exc
        self._note_server_time(response, sent)
        if response.status_code >= 400:
            self._raise_for(response, path)
        return response

    def _note_server_time(self, response: requests.Response, sent: float) -> None:
        server_time = _parse_time(response.headers.get(SERVER_TIME_HEADER, ""))
        if server_time is not None:
            midpoint = (sent + time.time()) / 2
            self.clock_skew_s = round(server_time.timestamp() - midpoint, 3)

    @staticmethod
    def _raise_for(response: requests.Response, path: str) -> None:
        """The error for a refused request: what the status means in both languages, then the server's words."""
        try:
            detail = response.json().get("detail", response.text)
        except (ValueError, AttributeError):
            detail = response.text
        detail = "".join(ch if ch.isprintable() else "?" for ch in str(detail))[:MAX_DETAIL_CHARS]
        status = response.status_code
        if status == 401 and path == LOGIN_PATH:
            raise LoginRefused(Message("服务器拒绝登录：用户名或密码错误", "the server refused the login: wrong "
                                       "user name or password").detailed(detail), status=status)
        if status == 401:
            raise AuthError(Message("登录已失效（令牌已过期、被撤销或无效），请重新登录；本地数据已保留",
                                    "the login is no longer valid (the token expired, was revoked or is invalid); "
                                    "log in again; local data is kept").detailed(detail), status=status)
        if status == 409:
            conflict = Message("服务器因冲突拒绝了请求（HTTP 409）",
                               "the server refused the request as a conflict (HTTP 409)")
            raise ConflictError(conflict.detailed(detail), status=status)
        if status >= 500:
            raise ServerError(Message(f"同步服务器出错（HTTP {status}），请稍后再试",
                                      f"the sync server failed (HTTP {status}); try again later").detailed(detail),
                              status=status)
        if status == 429:
            wait = _retry_after_s(response)
            raise RequestRefused(_backoff_message(path == LOGIN_PATH, wait).detailed(detail), status=status,
                                 retry_after_s=wait)
        zh, en = REFUSALS.get(status, ("服务器拒绝了请求", "the server refused the request"))
        raise RequestRefused(Message(f"{zh}（HTTP {status}）", f"{en} (HTTP {status})").detailed(detail),
                             status=status)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(Message(f"无法读取服务器对 {path} 的回答", f"unreadable answer from {path}")) from exc

    # -- API ----------------------------------------------------------------------
    def info(self) -> ServerInfo:
        return ServerInfo(**self._json("GET", "/info", authenticated=False))

    def login(self, user: str, password: str, *, remember: bool = True) -> LoginResult:
        result = LoginResult(**self._json("POST", "/login", authenticated=False,
                                          json={"user": user, "password": password}))
        if remember:
            store_token(self.server_url, user, result.token)
        self.token = result.token
        return result

    def push(self, batch: PushBatch) -> PushResult:
        return PushResult(**self._json("POST", "/push", json=batch.model_dump(mode="json")))

    def changes(self, since: int, limit: int, skip: Optional[list[tuple[int, int]]] = None) -> PullPage:
        """A page of changes after ``since``; ``skip``: change-number ranges whose versions this device holds
        (the server leaves them out and still moves the cursor past them)."""
        params: dict[str, Any] = {"since": since, "limit": limit}
        if skip:
            params["skip"] = format_ranges(skip)
        return PullPage(**self._json("GET", "/changes", params=params))

    def conflicts(self, *, include_resolved: bool = False) -> ConflictList:
        params = {"include_resolved": "true"} if include_resolved else None
        return ConflictList(**self._json("GET", "/conflicts", params=params))

    def resolve_conflict(self, conflict_id: int, keep: str) -> ResolveResult:
        """Keep the ``"server"`` or ``"client"`` version of a conflict (reviewers and admins)."""
        return ResolveResult(**self._json("POST", f"/conflicts/{int(conflict_id)}/resolve", json={"keep": keep}))

    def assign_case_no(self, case_uuid: str, case_no: str) -> AssignCaseNoResult:
        """Give a case found in the field its official 问题编号 (reviewers and admins of its jurisdiction)."""
        return AssignCaseNoResult(**self._json("PATCH", f"/cases/{case_uuid}", json={"case_no": case_no}))

    def zone_layers(self) -> ZoneLayerList:
        return ZoneLayerList(**self._json("GET", "/zone-layers"))

    def download_zone_layer(self, sha256: str, directory: Path) -> Path:
        """Stream a published zone layer file into ``directory`` and verify its SHA-256."""
        return self._download_verified(f"/zone-layers/{sha256}", sha256, directory)

    def delete_record(self, uuid: str) -> dict[str, Any]:
        return self._json("DELETE", f"/records/{uuid}")

    def verify(self, request: VerifyRequest) -> VerifyResult:
        return VerifyResult(**self._json("POST", "/verify", json=request.model_dump(mode="json")))

    def blobs_missing(self, sha256s: list[str]) -> list[str]:
        return BlobMissing(**self._json("POST", "/blobs/missing", json={"sha256s": sha256s})).missing

    def start_upload(self, manifest: BlobManifest) -> UploadState:
        return UploadState(**self._json("PUT", f"/blobs/{manifest.sha256}/manifest",
                                        json=manifest.model_dump(mode="json")))

    def put_chunk(self, sha256: str, index: int, data: bytes) -> UploadState:
        return UploadState(**self._json("PUT", f"/blobs/{sha256}/chunks/{index}", data=data,
                                        headers={"Content-Type": "application/octet-stream"}))

    def complete_upload(self, sha256: str) -> UploadState:
        return UploadState(**self._json("POST", f"/blobs/{sha256}/complete"))

    def put_bundle(self, body: Union[bytes, SizedBody]) -> dict[str, Any]:
        """POST a whole bundle (length-prefixed JSON header, then the blobs' bytes): one buffer, or parts of known
        total length sent one after another (with that Content-Length)."""
        return self._json("POST", "/blobs/bundle", data=body,
                          headers={"Content-Type": "application/octet-stream"})

    def download_blob(self, sha256: str, directory: Path) -> Path:
        """Stream a blob into a temporary file in ``directory`` and verify its SHA-256."""
        return self._download_verified(f"/blobs/{sha256}", sha256, directory)

    def _download_verified(self, path: str, sha256: str, directory: Path) -> Path:
        """Stream ``path`` into a temporary file in ``directory``; keep it only if it matches ``sha256``."""
        response = self._request("GET", path, stream=True)
        directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        handle = tempfile.NamedTemporaryFile(dir=directory, prefix="download-", suffix=".part", delete=False)
        try:
            with handle, response:
                for data in response.iter_content(DOWNLOAD_BUFFER_BYTES):
                    digest.update(data)
                    handle.write(data)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            os.unlink(handle.name)
            raise NetworkError(Message(f"下载 {sha256} 时连接中断", f"download of {sha256} interrupted")
                               .detailed(exc)) from exc
        if digest.hexdigest() != sha256:
            os.unlink(handle.name)
            raise NetworkError(Message(f"下载的文件 {sha256} 与其 SHA-256 不符",
                                       f"downloaded blob {sha256} does not match its SHA-256"))
        return Path(handle.name)

