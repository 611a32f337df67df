"""A headless Chromium driven over the DevTools protocol on a pipe, for the report tests.

No package beyond the standard library: Chromium's ``--remote-debugging-pipe`` reads
protocol messages on fd 3 and writes them on fd 4, each a JSON object ended by a NUL.
The browser is the OS package (``apt-get install chromium``); :func:`chromium` is None
where it is missing and the tests that need it skip, saying so.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: Seconds to wait for one protocol answer (a page load renders seven PNG figures).
TIMEOUT = 60.0


def chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium with one page; events are kept in :attr:`events`.

    The network goes to a proxy that does not exist (``127.0.0.1:9``, the discard port),
    so any request the page makes fails; :attr:`requests` lists them all anyway.
    """

    def __init__(self, profile: Path, *, width: int = 1100, height: int = 1400) -> None:
        to_child, self._send = os.pipe()
        self._receive, from_child = os.pipe()
        executable = chromium()
        if executable is None:
            raise RuntimeError("no Chromium on PATH (chromium, chromium-browser, "
                               "google-chrome): apt-get install chromium, or make browser")
        flags = ["--headless", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
                 "--no-default-browser-check", "--proxy-server=127.0.0.1:9",
                 "--proxy-bypass-list=<-loopback>", f"--user-data-dir={profile}",
                 f"--window-size={width},{height}", "--hide-scrollbars"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to sandbox as root

        def pipes() -> None:  # in the child: the protocol's fixed descriptors
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self._process = subprocess.Popen(
            [executable, *flags, "about:blank"], pass_fds=(3, 4), preexec_fn=pipes,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target,
                                  flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # ------------------------------------------------------------------ protocol

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the protocol pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events met meanwhile are kept."""
        self._next += 1
        request: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            request["sessionId"] = self._session
        os.write(self._send, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._message(deadline)
            if message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first event `method` (already received or the next to come)."""
        deadline = time.monotonic() + TIMEOUT
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = self._message(deadline)
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    # ------------------------------------------------------------------ page

    def open(self, path: Path) -> None:
        """Load a local file and wait until it (and its images) finished loading."""
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (the test's, not the page's)."""
        answer = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"evaluation failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page (beyond the window) at `path`."""
        shot = self.call("Page.captureScreenshot", session=True, format="png",
                         captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        """The page printed to PDF (the print CSS applies) at `path`."""
        printed = self.call("Page.printToPDF", session=True, printBackground=False)
        path.write_bytes(base64.b64decode(printed["data"]))
        return path

    @property
    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of the page."""
        out = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                out.append(json.dumps(params["exceptionDetails"])[:300])
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in (
                    "error", "assert"):
                out.append(json.dumps(params["args"])[:300])
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(params["entry"].get("text", "")[:300])
        return out

    @property
    def requests(self) -> list[str]:
        """Every URL the page asked the network for (data: and file: included)."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def close(self) -> None:
        # The browser may already be gone (a failed test): closing is best effort.
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._send)
        os.close(self._receive)
