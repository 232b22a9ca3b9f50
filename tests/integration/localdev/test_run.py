"""`make run` picks a port no one holds, stops if APP_PORT is taken, and takes no other program for the app."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading

import pytest

from localdev.ports import port_is_free, wait_for_http
from localdev.run import DEFAULT_APP_PORT, app_port


@pytest.fixture
def listener():
    """A socket listening on a free loopback port: another program holding it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def impostor():
    """Another program answering 200 to every GET."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):   # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_taken_app_port_stops_with_a_clear_message(listener):
    assert not port_is_free(listener)
    with pytest.raises(SystemExit, match=f"APP_PORT {listener} is taken by another program: stop it, or set APP_PORT"):
        app_port({"APP_PORT": str(listener)})


@pytest.mark.parametrize("value", ["http", "0", "70000", "\u00b2"])
def test_an_app_port_that_is_no_port_number_stops(value):
    with pytest.raises(SystemExit, match=f"APP_PORT='{value}' is not a port number"):
        app_port({"APP_PORT": value})


def test_a_free_app_port_is_used():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert app_port({"APP_PORT": str(port)}) == port


def test_without_app_port_a_taken_7071_gives_way_to_a_free_port():
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", DEFAULT_APP_PORT))
        holder.listen()
    except OSError:
        pass   # another program holds 7071 already: the same case
    try:
        port = app_port({})
        assert port != DEFAULT_APP_PORT and port_is_free(port)
    finally:
        holder.close()


def test_another_program_answering_is_not_taken_for_the_app(impostor):
    app = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    app.wait(30)
    with pytest.raises(RuntimeError, match="exited with code 3 before it answered"):
        wait_for_http(f"{impostor}/api/health", timeout=5, server=app)
    wait_for_http(f"{impostor}/api/health", timeout=5)   # without the process to watch, anyone would do
