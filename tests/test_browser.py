"""The built HTML book in a real browser: headless Chromium opens every page (issue 6).

For each page it checks that every image loads, that the maths is typeset by the book's own MathJax
(no CDN: the browser is cut off from every host but the test's loopback server), that no JavaScript
error or failed request is logged, that notebook pages carry the Colab launch link, and that every
cell of a notebook that shows a figure put an image on its page (a build whose kernels inherited
``MPLBACKEND=Agg`` shows none). The Chinese edition's pages, in ``zh/`` when it is built, are
opened too.

The book must be built first; the test uses ``$GANBOOK_HTML_DIR`` if set, else ``_build/html`` in
the repository, and builds the book itself (quick mode) only when neither holds an ``index.html``.
Chromium is driven through the Chrome DevTools Protocol over ``--remote-debugging-pipe``, with the
standard library only (no driver, no network). Without Chromium the tests skip, except under
``CI=true``, where a missing browser is a failure. Debian: ``apt-get install chromium``.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
COLAB_PREFIX = "https://colab.research.google.com/github/"
PAGE_TIMEOUT_S = 60.0
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--mute-audio",
    # Every host name except the loopback server fails to resolve: a page that needs the network
    # to show (a CDN script, a web font, a remote image) logs a failed request and fails the test.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
]
# Folders of the build that hold assets, not pages.
ASSET_DIRS = {"_static", "_sources", "_images", "_downloads", "_sphinx_design_static", ".doctrees"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _find_chromium() -> str | None:
    candidates = [os.environ.get("GANBOOK_CHROMIUM", ""), "/usr/lib/chromium/chromium"]
    candidates += [
        shutil.which(name) or "" for name in ("chromium", "chromium-browser", "google-chrome")
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _build_book(out: Path) -> None:
    """Build the book in quick mode (only when no build exists): slow, several minutes."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", str(REPO)]
    env = dict(os.environ, GANBOOK_QUICK=os.environ.get("GANBOOK_QUICK", "1"))
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not (out / "index.html").is_file():
        pytest.fail(f"building the book failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built HTML book: $GANBOOK_HTML_DIR, else _build/html (built here if missing)."""
    given = os.environ.get("GANBOOK_HTML_DIR")
    path = Path(given) if given else REPO / "_build" / "html"
    if not (path / "index.html").is_file():
        if given:
            pytest.fail(f"GANBOOK_HTML_DIR={given} holds no index.html: build the book there first")
        # One build at a time, even with pytest-xdist workers: the first builds, the others wait and
        # reuse.
        lock_path = REPO / "_build" / ".browser-test-build.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (path / "index.html").is_file():
                _build_book(path)
    return path.resolve()


REDIRECT = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["'][^"']*url=([^"']+)["']""", re.I
)


def _redirect_target(path: Path) -> str | None:
    """Where a redirect-only page (Jupyter Book's top-level index.html) points, else None."""
    text = path.read_text(encoding="utf-8", errors="replace")
    match = REDIRECT.search(text)
    return match.group(1) if match and len(text) < 1000 else None


def _pages(root: Path) -> list[str]:
    """Every HTML page of the build, except asset folders and redirect-only pages."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root)
        if not ASSET_DIRS.intersection(relative.parts[:-1]) and _redirect_target(path) is None:
            pages.append(relative.as_posix())
    return pages


def _notebook_pages(root: Path) -> dict[str, Path]:
    """Pages built from notebooks -> the notebook they were built from: Sphinx keeps each page's
    source, with its suffix, in _sources (the Chinese edition's in zh/_sources)."""
    pages = {}
    for edition in ("", "zh/"):
        sources = root / edition / "_sources"
        for path in sources.rglob("*.ipynb"):
            relative = path.relative_to(sources).as_posix()
            pages[edition + relative[: -len(".ipynb")] + ".html"] = path
    return pages


def _figure_cells(notebook: Path) -> int:
    """Code cells that show a figure: a caption in the cell's mystnb.figure metadata (the book's
    rule for every figure) or a call of plt.show(), unless the cell's output is removed."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    count = 0
    for cell in cells:
        metadata = cell.get("metadata", {})
        removed = {"remove-output", "remove-cell"} & set(metadata.get("tags", []))
        text = "".join(cell.get("source", ""))
        shows = "figure" in metadata.get("mystnb", {}) or "plt.show()" in text
        count += cell["cell_type"] == "code" and shows and not removed
    return count


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    missing: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404 and not self.path.startswith("/favicon.ico"):
            self.missing.append(unquote(urlsplit(self.path).path))
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def server(html_dir: Path):
    """Serve the book from 127.0.0.1 on a free port; yields (base URL, list of paths answered
    404)."""
    missing: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"missing": missing})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(html_dir))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", missing
    httpd.shutdown()
    httpd.server_close()


class DevTools:
    """A minimal Chrome DevTools Protocol client over Chromium's --remote-debugging-pipe.

    Chromium reads commands from its file descriptor 3 and writes replies and events to 4, one JSON
    message each, terminated by a NUL byte.
    """

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="ganbook-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:
            # Move both ends out of the way first, then onto 3 and 4, whatever numbers they had.
            read_end = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=child_fds,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue] = {}
        self.events: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self.events.put({"method": "closed"})
                for waiting in list(self._replies.values()):
                    waiting.put({"error": {"message": "Chromium closed the DevTools pipe"}})
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message and message["id"] in self._replies:
                    self._replies[message["id"]].put(message)
                elif "method" in message:
                    self.events.put(message)

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float = PAGE_TIMEOUT_S,
    ) -> dict:
        with self._lock:
            self._next_id += 1
            message_id = self._next_id
            self._replies[message_id] = queue.Queue()
        message = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        try:
            reply = self._replies[message_id].get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no reply to {method} within {timeout:.0f} s") from None
        finally:
            self._replies.pop(message_id, None)
        if "error" in reply:
            raise RuntimeError(f"{method} failed: {reply['error']}")
        return reply.get("result", {})

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium() -> str:
    executable = _find_chromium()
    if executable is None:
        message = (
            "Chromium is not installed (Debian: apt-get install chromium; or set GANBOOK_CHROMIUM "
            "to a Chromium or Chrome executable): the real-browser checks of the HTML book "
            "cannot run"
        )
        if _in_ci():
            pytest.fail(message + ", and CI=true requires them")
        pytest.skip(message)
    return executable


# Runs in the page once it has loaded: waits for MathJax and for every image, then reports.
PAGE_PROBE = r"""
(async () => {
  const settle = (promise, ms) => Promise.race([promise, new Promise(r => setTimeout(r, ms))]);
  const images = [...document.images];
  for (const image of images) { image.loading = "eager"; }
  await settle(Promise.all(images.map(image => image.decode().catch(() => null))), 20000);
  const media = [...document.querySelectorAll("audio, video")];
  await settle(Promise.all(media.map(m => m.readyState >= 1 ? null : new Promise(r => {
    m.addEventListener("loadedmetadata", r, {once: true});
    m.addEventListener("error", r, {once: true});
    m.preload = "metadata";
    m.load();
  }))), 20000);
  const mathjax = window.MathJax;
  let mathjaxReady = false;
  if (mathjax && mathjax.startup && mathjax.startup.promise) {
    await settle(mathjax.startup.promise.then(() => { mathjaxReady = true; }), 30000);
  }
  const mathNodes = [...document.querySelectorAll(".math")];
  const skip = "script, style, pre, code, textarea, .highlight, mjx-container, mjx-assistive-mml";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (/\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/.test(text) && !node.parentElement.closest(skip)) {
      raw.push(text.trim().slice(0, 120));
    }
  }
  return {
    title: document.title,
    brokenImages: images
      .filter(i => !(i.complete && i.naturalWidth > 0))
      .map(i => i.currentSrc || i.src),
    imageCount: images.length,
    outputImages: images
      .filter(i => i.closest(".cell_output") && i.complete && i.naturalWidth > 0).length,
    brokenMedia: media
      .filter(m => m.error || !(m.duration > 0))
      .map(m => (m.currentSrc || m.src || "").slice(0, 60)),
    mediaCount: media.length,
    mathjaxLoaded: Boolean(mathjax && mathjax.version),
    mathjaxVersion: mathjax && mathjax.version ? mathjax.version : null,
    mathjaxReady: mathjaxReady,
    mathNodes: mathNodes.length,
    untypesetMath: mathNodes
      .filter(n => !n.querySelector("mjx-container"))
      .map(n => n.textContent.trim().slice(0, 120)),
    mathErrors: [...document.querySelectorAll("mjx-merror")]
      .map(n => n.getAttribute("data-mjx-error") || n.textContent),
    rawTex: raw,
    colabLinks: [...document.querySelectorAll("a[href]")]
      .map(a => a.href)
      .filter(h => h.startsWith("COLAB_PREFIX")),
  };
})()
""".replace("COLAB_PREFIX", COLAB_PREFIX)


def _visit(devtools: DevTools, url: str) -> dict:
    """Open ``url`` in a fresh tab and return the probe's report plus every error the page
    logged."""
    target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            devtools.send(f"{domain}.enable", session=session)
        devtools.send("Page.navigate", {"url": url}, session=session)
        errors: list[str] = []
        loaded = False
        deadline = time.monotonic() + PAGE_TIMEOUT_S

        def drain(block_until_loaded: bool) -> None:
            nonlocal loaded
            while True:
                timeout = (
                    max(0.0, deadline - time.monotonic())
                    if block_until_loaded and not loaded
                    else 0.0
                )
                try:
                    event = devtools.events.get(timeout=timeout)
                except queue.Empty:
                    return
                if event.get("method") == "closed":
                    raise RuntimeError("Chromium exited while loading " + url)
                if event.get("sessionId") != session:
                    continue
                method, params = event["method"], event.get("params", {})
                if method == "Page.loadEventFired":
                    loaded = True
                elif method == "Runtime.exceptionThrown":
                    details = params["exceptionDetails"]
                    description = details.get("exception", {}).get("description") or details.get(
                        "text"
                    )
                    errors.append(f"uncaught exception: {description}")
                elif method == "Runtime.consoleAPICalled" and params.get("type") in (
                    "error",
                    "assert",
                ):
                    texts = [
                        str(arg.get("value", arg.get("description", "")))
                        for arg in params.get("args", [])
                    ]
                    errors.append("console.error: " + " ".join(texts))
                elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                    entry = params["entry"]
                    if entry.get("url", "").endswith("/favicon.ico"):
                        continue  # the browser asks every site for one; not the page's content
                    errors.append(
                        f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip()
                    )
                elif method == "Network.loadingFailed" and not params.get("canceled"):
                    errors.append(
                        f"request failed: {params.get('errorText')} ({params.get('type')})"
                    )

        drain(block_until_loaded=True)
        if not loaded:
            raise TimeoutError(f"{url} did not finish loading within {PAGE_TIMEOUT_S:.0f} s")
        result = devtools.send(
            "Runtime.evaluate",
            {"expression": PAGE_PROBE, "awaitPromise": True, "returnByValue": True},
            session=session,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page probe failed on {url}: {result['exceptionDetails']}")
        time.sleep(0.2)
        drain(block_until_loaded=False)
        report = result["result"]["value"]
        report["errors"] = errors
        return report
    finally:
        devtools.send("Target.closeTarget", {"targetId": target})


@pytest.fixture(scope="session")
def reports(chromium: str, html_dir: Path, server) -> dict[str, dict]:
    """Every page of the book, opened once: page path -> the probe's report."""
    base, missing = server
    pages = _pages(html_dir)
    start = _redirect_target(html_dir / "index.html")
    assert (html_dir / (start or "index.html")).is_file(), (
        f"index.html points at a missing page: {start}"
    )
    assert pages, f"no HTML page in {html_dir}"
    devtools = DevTools(chromium)
    try:
        version = devtools.send("Browser.getVersion", timeout=60)
        print(f"browser: {version.get('product')}; {len(pages)} pages")
        results = {}
        for page in pages:
            missing.clear()
            results[page] = _visit(devtools, base + page)
            results[page]["missing"] = sorted(set(missing))
        return results
    finally:
        devtools.close()


def _failures(reports: dict[str, dict], check) -> str:
    lines = []
    for page, report in reports.items():
        problems = check(page, report)
        if problems:
            lines.append(f"{page}: {problems}")
    return "\n".join(lines)


def test_every_image_loads(reports):
    failures = _failures(reports, lambda page, r: r["brokenImages"])
    assert not failures, "images that did not load (naturalWidth 0):\n" + failures
    assert sum(r["imageCount"] for r in reports.values()) > 0, "the book shows no image at all"


def test_every_audio_player_loads(reports):
    """Embedded sounds (chapter 10's IPython.display.Audio) decode: known duration, no media
    error."""
    failures = _failures(reports, lambda page, r: r["brokenMedia"])
    assert not failures, "audio or video that did not load:\n" + failures


def test_no_request_fails(reports):
    failures = _failures(reports, lambda page, r: r["missing"])
    assert not failures, "files the pages asked for but the build does not have:\n" + failures


def test_maths_is_typeset_offline(reports):
    def check(page, report):
        problems = []
        if report["mathNodes"]:
            if not report["mathjaxLoaded"] or not report["mathjaxReady"]:
                problems.append("MathJax did not load or did not finish")
            if report["untypesetMath"]:
                problems.append(f"untypeset: {report['untypesetMath'][:3]}")
        if report["mathErrors"]:
            problems.append(f"TeX errors: {report['mathErrors'][:3]}")
        if report["rawTex"]:
            problems.append(f"raw TeX left in the text: {report['rawTex'][:3]}")
        return problems

    failures = _failures(reports, check)
    assert not failures, failures
    versions = {r["mathjaxVersion"] for r in reports.values() if r["mathNodes"]}
    assert versions and all(v and v.startswith("3.") for v in versions), versions
    assert sum(r["mathNodes"] for r in reports.values()) > 0, "no page has any maths"


def test_no_javascript_error_is_logged(reports):
    failures = _failures(reports, lambda page, r: r["errors"])
    assert not failures, failures


def test_notebook_pages_carry_the_colab_link(reports, html_dir):
    notebooks = _notebook_pages(html_dir)
    assert notebooks, "the build has no notebook page"

    def check(page, report):
        if page not in notebooks:
            return None
        source = page.removeprefix("zh/")[: -len(".html")] + ".ipynb"
        if not any(link.endswith("/" + source) for link in report["colabLinks"]):
            return (
                f"no link starting with {COLAB_PREFIX} and ending with /{source}: "
                f"{report['colabLinks']}"
            )
        return None

    failures = _failures(reports, check)
    assert not failures, failures


def test_every_figure_of_a_notebook_is_on_its_page(reports, html_dir):
    """Each cell that shows a figure puts at least one loaded image into the page's cell outputs.
    Decided from the notebook's source, not its outputs: a kernel that inherited MPLBACKEND=Agg
    records no figure at all, and neither do the pages built from it."""
    notebooks = _notebook_pages(html_dir)

    def check(page, report):
        expected = _figure_cells(notebooks[page]) if page in notebooks else 0
        if report["outputImages"] < expected:
            return (
                f"{expected} cells show a figure, but the page has {report['outputImages']} "
                "loaded images in its cell outputs (did the kernels inherit MPLBACKEND=Agg?)"
            )
        return None

    failures = _failures(reports, check)
    assert not failures, "figures missing from their pages:\n" + failures


def test_mathjax_comes_from_the_book(html_dir):
    """Static check, no browser needed: one local MathJax script per page, nothing from another
    host."""
    external = re.compile(
        r"""<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\b(?:src|href)=["'](?:https?:)?//"""
    )
    problems = []
    for page in _pages(html_dir):
        text = (html_dir / page).read_text(encoding="utf-8")
        scripts = re.findall(
            r"""<script\b[^>]*\bsrc=["']([^"']*mathjax[^"']*)["']""", text, flags=re.I
        )
        if (
            "math notranslate" in text
            and [s for s in scripts if s.endswith(".js") or ".js?" in s] == []
        ):
            problems.append(f"{page}: has maths but loads no MathJax")
        if len(scripts) > 1:
            problems.append(f"{page}: loads {len(scripts)} MathJax scripts: {scripts[:3]}")
        for src in scripts:
            if "://" in src or src.startswith("//"):
                problems.append(f"{page}: MathJax from the network: {src}")
        for match in external.finditer(text):
            problems.append(f"{page}: external resource: {match.group(0)[:160]}")
    assert not problems, "\n".join(problems)
