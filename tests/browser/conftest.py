"""Fixtures for the real-browser tests (``make test-browser``): servers on loopback and headless Chromium.

Every server is started in its own process group and stopped by its process id when the test ends.
"""

import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
BIN = pathlib.Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, log, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


class Server:
    """A server process on 127.0.0.1, stopped by its process group id."""

    def __init__(self, name, args, ready_path, token=None):
        self.port = free_port()
        self.token = token
        self.log = ARTIFACTS / f"{name}.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        args = [a.format(port=self.port, token=token or "") for a in args]
        self.process = subprocess.Popen(
            args, cwd=ROOT, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        query = f"?token={token}" if token else ""
        self.base = f"http://127.0.0.1:{self.port}"
        wait_for(f"{self.base}{ready_path}{query}", self.process, self.log)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def voila_server():
    server = Server("voila", [
        str(BIN / "voila"), "notebooks/01_iou.ipynb", "--no-browser", "--port={port}", "--Voila.ip=127.0.0.1",
    ], "/")
    yield server
    server.stop()


@pytest.fixture
def lab_server(tmp_path, request):
    """JupyterLab on a copy of notebooks/: the front end saves what it opens, and the tests must not edit the repo."""
    token = secrets.token_hex(16)
    root = ["--allow-root"] if os.geteuid() == 0 else []
    notebooks = shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    server = Server(f"jupyterlab-{request.node.name}", [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", "--port={port}", f"--notebook-dir={notebooks}",
        "--IdentityProvider.token={token}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *root,
    ], "/api/status", token=token)
    yield server
    server.stop()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test-browser`, which installs it")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def explore_server():
    """The server of ``make explore``: Voila on the whole notebooks/ folder (landing page + every notebook), with the
    course's Voila configuration (course/site/voila/: titles on the landing page)."""
    server = Server("explore", [
        str(BIN / "voila"), "notebooks", "--no-browser", "--port={port}", "--Voila.ip=127.0.0.1",
        "--Voila.config_file_paths=course/site/voila",
    ], "/")
    yield server
    server.stop()


SITE = ROOT / "site"


@pytest.fixture(scope="session")
def built_site():
    """``site/`` as ``make site`` builds it, English and Chinese (``site/zh/``); ``make test-browser`` builds it first;
    built here if it is missing."""
    if not (SITE / "index.html").exists() or not (SITE / "zh" / "index.html").exists():
        subprocess.run([sys.executable, "course/site/build_site.py", "--lang", "en", "zh"], cwd=ROOT, check=True)
    return SITE


@pytest.fixture(scope="module")
def site_server(built_site):
    """The built site on a plain static host on 127.0.0.1 (Python's http.server), as any static host serves it."""
    server = Server("site", [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                             "--directory", str(built_site)], "/index.html")
    yield server
    server.stop()


class RequestLog:
    """Every request a page makes; anything not on this machine is recorded and aborted (never sent)."""

    LOCAL = ("file://", "http://127.0.0.1:", "data:", "blob:")

    def __init__(self, page):
        self.urls, self.outside = [], []
        page.on("request", lambda request: self.urls.append(request.url))
        page.route(lambda url: not url.startswith(self.LOCAL),
                   lambda route: (self.outside.append(route.request.url), route.abort()))


@pytest.fixture
def request_log():
    return RequestLog
