"""`calldesk serve`: the host check, the command each browser tab runs, and the desk in a real
headless chromium (Debian's, through its chromedriver: nothing downloads a browser)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calldesk import cli
from calldesk.cli import serve
from calldesk.errors import CalldeskError

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# CI sets this so that the browser test can never pass by being skipped.
REQUIRE_BROWSER = os.environ.get("CALLDESK_REQUIRE_BROWSER") == "1"
WAIT = 60  # seconds for each step on the page; the machine may be busy
START = 120  # seconds for a process to come up
DEMO_AT, DESK_AT = "2026-11-23T09:30+00:00", "2026-11-23T10:30+01:00"  # a Monday, inside calling hours


def _clean_env(tmp: Path) -> dict[str, str]:
    """No CALLDESK_* of the person running the tests, and config/data folders of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _one_line_error(stderr: str, text: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calldesk: error: ") and text in lines[0], stderr


# --- the host check and the tab's command, without a server ---------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_needs_no_public(host):
    assert serve.serve_exposure(host, public=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "desk.example.com"])
def test_other_addresses_need_public_and_warn(host):
    with pytest.raises(CalldeskError, match="add --public"):
        serve.serve_exposure(host, public=False)
    warning = serve.serve_exposure(host, public=True)
    assert "no login of its own" in warning and "authenticating proxy" in warning


def test_serve_url():
    assert serve.serve_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000"
    assert serve.serve_url("::1", 8001, None) == "http://[::1]:8001"
    assert serve.serve_url("0.0.0.0", 8000, None) == f"http://{socket.gethostname()}:8000"
    assert serve.serve_url("127.0.0.1", 8000, "https://desk.example.com/") == "https://desk.example.com"


def test_serve_origins():
    loopback = serve.serve_origins("http://127.0.0.1:8000", "127.0.0.1", 8000)
    assert {"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"} <= loopback
    assert "http://evil.example" not in loopback
    assert serve.serve_origins("https://Desk.Example.com:443/desk", "127.0.0.1", 8000) >= {"https://desk.example.com"}
    assert serve.serve_origins("http://desk:80", "0.0.0.0", 80) == {"http://desk"}


def test_public_host_refused_without_public(tmp_path):
    env = {**_clean_env(tmp_path), "CALLDESK_DB": str(tmp_path / "desk.db")}
    result = subprocess.run([sys.executable, "-m", "calldesk", "serve", "--host", "0.0.0.0"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=START)
    assert result.returncode == 1
    _one_line_error(result.stderr, "--host 0.0.0.0 lets other machines reach the desk")
    assert not (tmp_path / "desk.db").exists()  # refused before anything was opened


def test_public_host_warns_and_tabs_run_the_app(tmp_path, monkeypatch, capsys):
    started = {}

    class FakeServer:
        def serve(self) -> None:
            started["env"] = {k: os.environ.get(k) for k in ("CALLDESK_DB", "CALLDESK_CALLER", "CALLDESK_CONFIG")}

    def fake_server(command, host, port, url, max_desks):  # noqa: ANN001, ANN202
        started.update(command=command, host=host, port=port, url=url)
        return FakeServer()

    for key, value in _clean_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    for key in ("CALLDESK_DB", "CALLDESK_CALLER", "CALLDESK_CONFIG"):
        monkeypatch.delenv(key, raising=False)  # serve sets them: monkeypatch puts them back
    config = tmp_path / "desk.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setattr(serve, "_desk_server", fake_server)
    monkeypatch.setattr(sys, "argv", ["calldesk", "--lang", "nl", "serve", "--host", "0.0.0.0", "--public",
                                      "--port", "8123", "--db", str(tmp_path / "desk.db"), "--config", str(config),
                                      "--caller", "Anne", "--at", DESK_AT])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code in (0, None)
    err = capsys.readouterr().err
    # --lang nl: the warning is in Dutch.
    assert err.startswith("calldesk: waarschuwing: ") and "geen eigen login" in err
    assert started["host"] == "0.0.0.0" and started["port"] == 8123
    assert started["url"] == f"http://{socket.gethostname()}:8123"
    # Each tab runs the app itself, at the same moment, in the same language ...
    assert started["command"] == f"{sys.executable} -m calldesk --lang nl --at 2026-11-23T09:30:00+00:00"
    # ... on the same store and config, as the same caller (the store via the environment, not argv).
    assert started["env"] == {"CALLDESK_DB": str(tmp_path / "desk.db"), "CALLDESK_CALLER": "anne",
                              "CALLDESK_CONFIG": str(config)}


def test_port_in_use_is_a_one_line_error(tmp_path):
    env = {**_clean_env(tmp_path), "CALLDESK_DB": str(tmp_path / "desk.db")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "calldesk", "serve", "--port", str(port)], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=START)
    assert result.returncode == 1
    _one_line_error(result.stderr, f"cannot listen on 127.0.0.1:{port}: address already in use")


# --- a real server ------------------------------------------------------------------------------

class Desk:
    """`calldesk serve` on a free loopback port, in a process group of its own (tabs included)."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        self.tmp, self.env, self.extra = tmp, _clean_env(tmp), extra
        self.db = tmp / "demo.db"
        demo = subprocess.run([sys.executable, "-m", "calldesk", "demo", "--db", str(self.db), "--no-open",
                               "--caller", "anne", "--at", DEMO_AT], capture_output=True, text=True,
                              env=self.env, cwd=tmp, timeout=300)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.tmp / "serve.log").read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        self.port = _free_port()
        with (self.tmp / "serve.log").open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "calldesk", "serve", "--db", str(self.db), "--port", str(self.port),
                 "--at", DESK_AT, "--caller", "anne", *self.extra],
                stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.tmp, start_new_session=True)
        deadline = time.monotonic() + START
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"calldesk serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"calldesk serve did not answer on port {self.port} within {START} s:\n{self.log()}")
                time.sleep(0.25)

    def stop(self) -> list[str]:
        """Stop the server as a service manager would (SIGTERM to it alone); what was still running
        in its process group afterwards (then killed)."""
        if self.process is None:
            return []
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                pass
        left = _group_members(process.pid)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=WAIT)
        return left


def _group_members(pgid: int) -> list[str]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(text.split(" ", 1)[0] + " " + text[text.index("(") : text.rindex(")") + 1])
    return members


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    desk = Desk(tmp_path_factory.mktemp("serve"))
    yield desk
    desk.stop()


@pytest.fixture
def desk(served):
    if served.process is None:
        served.start()
    return served


def test_a_foreign_page_cannot_open_a_desk(desk):
    """Browsers let any page open a websocket to a loopback port: only the desk's own page may."""

    assert handshake(desk.port, "http://evil.example") == 403
    assert handshake(desk.port, f"http://127.0.0.2:{desk.port}") == 403
    assert handshake(desk.port, None) == 403  # any program on this machine: a page always names its origin
    assert "Traceback" not in desk.log()


def _handshake(port: int, origin: str | None, query: str = "") -> tuple[int, http.client.HTTPConnection]:
    """A websocket opened as the desk's page opens it; the connection stays open on success."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    headers = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    if origin is not None:
        headers["Origin"] = origin
    conn.request("GET", "/ws" + query, headers=headers)
    return conn.getresponse().status, conn


def handshake(port: int, origin: str | None, query: str = "") -> int:
    status, conn = _handshake(port, origin, query)
    conn.close()
    return status


@pytest.mark.parametrize("query", ["?width=100000&height=24", "?width=80&height=99999", "?width=-3&height=24"])
def test_terminal_sizes_are_capped(desk, query):
    assert handshake(desk.port, desk.url, query) == 400
    assert "Traceback" not in desk.log()


def _page_status(port: int) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_desks_are_capped_and_the_page_says_so(tmp_path):
    config = tmp_path / "serve.toml"
    config.write_text("[serve]\nmax_desks = 1\n", encoding="utf-8")
    capped = Desk(tmp_path, "--config", str(config))
    capped.start()
    try:
        status, first = _handshake(capped.port, capped.url, "?width=80&height=24")
        assert status == 101  # the one desk this server may run
        try:
            assert handshake(capped.port, capped.url) == 503
            status, page = _page_status(capped.port)
            assert status == 503 and "all 1 desks of this server are in use" in page
        finally:
            first.close()
        deadline = time.monotonic() + WAIT
        while _page_status(capped.port)[0] != 200:  # the closed tab's desk is freed
            assert time.monotonic() < deadline, capped.log()
            time.sleep(0.25)
    finally:
        capped.stop()
    assert "Traceback" not in capped.log()


# --- the desk in a browser ----------------------------------------------------------------------

# textual-serve draws the terminal (xterm.js) on a canvas, so the page holds no text. xterm.js has a
# screen-reader mode that mirrors every row into its accessibility tree; the page keeps the terminal
# to itself, so this catches its options object as xterm.js defines it, to switch that mode on.
CATCH_OPTIONS = """
(() => {
  const define = Object.defineProperty;
  Object.defineProperty = function (target, key, descriptor) {
    if (key === "screenReaderMode" && descriptor && descriptor.get) window.__terminalOptions = target;
    return define.call(this, target, key, descriptor);
  };
})();
"""
READ_SCREEN = """
const rows = document.querySelectorAll(".xterm-accessibility-tree > div");
return Array.from(rows, row => row.textContent).join("\\n");
"""


def _browser_or_skip() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        message = f"the browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if REQUIRE_BROWSER:
            pytest.fail(f"CALLDESK_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)


def _chromium():  # noqa: ANN202
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--disable-background-networking",
                     # Loopback only: the page's web-font link must not send the browser out.
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def _wait_for_screen(driver, ok, what: str) -> str:  # noqa: ANN001
    deadline = time.monotonic() + WAIT
    while True:
        text = driver.execute_script(READ_SCREEN) or ""
        if ok(text):
            return text
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WAIT} s; the page shows:\n{text}")
        time.sleep(0.25)


def test_the_desk_in_a_browser(desk, monkeypatch):
    _browser_or_skip()
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager never downloads anything
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    timings: dict[str, float] = {}
    began = time.monotonic()
    driver = _chromium()
    try:
        timings["browser"] = time.monotonic() - began
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_OPTIONS})
        driver.get(desk.url)
        deadline = time.monotonic() + WAIT
        while not driver.execute_script("const o = window.__terminalOptions;"
                                        "if (o) o.screenReaderMode = true; return Boolean(o);"):
            if time.monotonic() > deadline:
                pytest.fail(f"the page made no terminal within {WAIT} s:\n{desk.log()}")
            time.sleep(0.25)

        queue = _wait_for_screen(driver, lambda text: "calls today" in text, "queue")
        timings["queue"] = time.monotonic() - began
        assert "anne" in queue  # the server's caller
        keys = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")  # where xterm.js takes keys

        keys.send_keys("n")
        _wait_for_screen(driver, lambda text: "call 00:" in text, "call screen")
        timings["call"] = time.monotonic() - began

        keys.send_keys(Keys.ESCAPE)
        _wait_for_screen(driver, lambda text: "calls today" in text and "call 00:" not in text, "queue after Escape")
        timings["back"] = time.monotonic() - began

        # Stopped with the tab still open: the server ends the tab's app too.
        left = desk.stop()
        timings["stopped"] = time.monotonic() - began
        assert not left, f"still running after the server stopped: {left}"
    finally:
        driver.quit()
        desk.stop()
    print("timings (s since the browser started):", {k: round(v, 1) for k, v in timings.items()})
    assert "Traceback" not in desk.log(), desk.log()
