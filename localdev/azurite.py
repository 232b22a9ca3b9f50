"""Start the Azurite storage emulator from node_modules on free ports, and stop it.

Used by the tests (a session fixture) and by `make run`. Azurite prints the port it bound
when given port 0, so no port is guessed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
# The well-known development account key Azurite documents; not a secret.
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_LISTENING = re.compile(r"Azurite (Blob|Queue|Table) service is successfully listening at (http://\S+)")


class Azurite:
    def __init__(self, location: str | None = None) -> None:
        self._own_location = location is None
        self.location = location or tempfile.mkdtemp(prefix="azurite-")
        self.endpoints: dict[str, str] = {}
        self._process: subprocess.Popen | None = None

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
                f"BlobEndpoint={self.endpoints['Blob']}/{ACCOUNT};QueueEndpoint={self.endpoints['Queue']}/{ACCOUNT};"
                f"TableEndpoint={self.endpoints['Table']}/{ACCOUNT};")

    def start(self, timeout: float = 30.0) -> "Azurite":
        binary = ROOT / "node_modules" / ".bin" / "azurite"
        if not binary.exists():
            raise RuntimeError("Azurite is not installed: run `npm ci` (make does it for you)")
        self._process = subprocess.Popen(
            [str(binary), "--disableTelemetry", "--silent", "--skipApiVersionCheck", "--location", self.location,
             "--blobPort", "0", "--queuePort", "0", "--tablePort", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        threading.Thread(target=self._read_output, args=(ready,), daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"Azurite did not start within {timeout:.0f}s")
        return self

    def _read_output(self, ready: threading.Event) -> None:
        assert self._process and self._process.stdout
        for line in self._process.stdout:
            match = _LISTENING.search(line)
            if match:
                self.endpoints[match.group(1)] = match.group(2).rstrip("/")
                if len(self.endpoints) == 3:
                    ready.set()

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._own_location:
            shutil.rmtree(self.location, ignore_errors=True)

    def __enter__(self) -> "Azurite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    with Azurite() as azurite:
        print(azurite.connection_string, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
