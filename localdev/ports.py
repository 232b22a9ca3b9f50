"""Small helpers for starting local servers: a free port, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing listens on `port` (on loopback or on every interface) at this moment."""
    for address in (host, "0.0.0.0"):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # a closed socket in TIME_WAIT is no owner
            try:
                sock.bind((address, port))
            except OSError:
                return False
    return True


def wait_for_http(url: str, timeout: float = 30.0, *, server: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers (any status below 500), or raise after `timeout` seconds, or
    as soon as `server`, the process meant to answer, has exited: then whatever answers is not it."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with code {server.returncode} before it answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s ({last})")
