"""A fault-injecting TCP proxy on loopback for sync tests and the sync benchmark.

Forwards bytes between a client and the server in both directions and counts
them. A test *arms* a fault: after ``offset`` more bytes in one direction
(``"up"`` client→server, ``"down"`` server→client) the proxy either cuts that
connection (both sockets closed: a broken upload, or a lost
acknowledgement when cutting ``down`` at 0 after the server answered) or
calls a callback (to SIGKILL a client or restart the server at that point).
"""
from __future__ import annotations

import socket
import threading
from typing import Callable, Optional

BUFFER_BYTES = 64 * 1024


class FaultProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.bytes = {"up": 0, "down": 0}
        self.lock = threading.Lock()
        self._fault: Optional[dict] = None
        self.faults_fired = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, direction: str, offset: int, action: Optional[Callable[[], None]] = None) -> None:
        """Cut (or run ``action``) once ``offset`` more bytes have gone in ``direction``."""
        with self.lock:
            self._fault = {"direction": direction, "left": offset, "action": action}

    def disarm(self) -> None:
        with self.lock:
            self._fault = None

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream, "up", pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "down", pair), daemon=True).start()

    def _fire(self, direction: str, size: int) -> tuple[int, Optional[dict]]:
        """How many of ``size`` bytes may pass, and the fault to fire after them (if any)."""
        with self.lock:
            fault = self._fault
            if fault is None or fault["direction"] != direction:
                self.bytes[direction] += size
                return size, None
            allowed = min(size, fault["left"])
            fault["left"] -= allowed
            self.bytes[direction] += allowed
            if fault["left"] <= 0 and (allowed < size or size > 0):
                self._fault = None
                self.faults_fired += 1
                return allowed, fault
            return allowed, None

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str, pair: tuple) -> None:
        try:
            while data := source.recv(BUFFER_BYTES):
                allowed, fault = self._fire(direction, len(data))
                if allowed:
                    sink.sendall(data[:allowed])
                if fault is not None:
                    if fault["action"] is not None:
                        fault["action"]()
                        if allowed < len(data):
                            with self.lock:
                                self.bytes[direction] += len(data) - allowed
                            sink.sendall(data[allowed:])
                        continue
                    break
        except OSError:
            pass
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
