"""Chromium for the tests (Debian's, headless, driven by Playwright): one browser and one server of the
built site per test process, and one sweep of every page that several tests read.

Loaded as a pytest plugin by conftest.py, so every test module shares the same fixtures (importing
a fixture into a module would define a second one, and start a second Playwright).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import DOCS, NOTEBOOKS, page_html, shared_parts

CHROMIUM = os.environ.get("DLNOTES_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(built_site):
    handler = functools.partial(QuietHandler, directory=str(built_site["dir"]))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set DLNOTES_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def watch(page):
    """Record on ``page`` what goes wrong (errors, failed requests) and every request that would
    leave this machine (aborted: the site must work offline)."""
    page.problems = []
    page.external = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            page.external.append(r.request.url)
            r.abort()

    def failed(r):
        # net::ERR_ABORTED: the browser dropped the request itself (the next page was opened before
        # the favicon came); a missing file is an HTTP 404, caught below.
        if r.url not in page.external and r.failure != "net::ERR_ABORTED":
            page.problems.append(f"failed: {r.url} ({r.failure})")

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("requestfailed", failed)
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"))
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield watch(context.new_page())
    context.close()


def site_paths(site: Path) -> list[str]:
    sources = sorted(DOCS.rglob("*.md")) + sorted(NOTEBOOKS.glob("*.ipynb"))
    return ["/" + str(page_html(site, s).parent.relative_to(site)).strip(".") for s in sources]


DESKTOP, PHONE = 1440, 375
LONGEST_LINE = 100  # characters a code or output line may have and still show whole on a desktop

# For every code block (source or output) of the article: its longest line and whether it overflows.
CODE_WIDTHS = """() => [...document.querySelectorAll('article pre > code')]
  .filter(c => c.offsetParent !== null && !c.closest('details:not([open])'))
  .map(c => ({longest: Math.max(...c.innerText.split('\\n').map(l => l.length)),
              overflow: c.scrollWidth - c.clientWidth, text: c.innerText.slice(0, 80)}))"""
# Elements of the article that stick out to the right of a phone screen (code may scroll inside its box).
TOO_WIDE = """(w) => [...document.querySelectorAll('article *')]
  .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('pre, .highlight, .md-typeset__scrollwrap, .jp-OutputArea, math'))
  .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
BROKEN_IMAGES = "[...document.querySelectorAll('article img')].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)"

SWEEP_PARTS = 2  # the pages are swept in this many parts, shared by the workers that need the sweep


@pytest.fixture(scope="session")
def sweep(request, built_site, tmp_path_factory, worker_id) -> dict:
    """Every page opened once per session, on a desktop-sized window, then narrowed to a phone's width:
    {"pages": {path: what was measured}, "problems", "external"} for test_browser.py and test_layout.py.

    The pages are swept in parts (``conftest.shared_parts``): a worker that needs the sweep
    opens the pages of every part that no other worker is opening (starting its browser for
    it), then reads the others' records.
    """
    paths = site_paths(built_site["dir"])

    def part(i: str) -> dict:
        return _sweep(request.getfixturevalue("browser"), request.getfixturevalue("server"), paths[int(i)::SWEEP_PARTS],
                      built_site["dir"] / "search" / "search_index.json")

    parts = shared_parts(tmp_path_factory, worker_id, "browser-sweep", [str(i) for i in range(SWEEP_PARTS)], part)
    return {"pages": {path: found for p in parts.values() for path, found in p["pages"].items()},
            "problems": [x for p in parts.values() for x in p["problems"]],
            "external": [x for p in parts.values() for x in p["external"]]}


def _sweep(browser, server, paths: list[str], search_index: Path) -> dict:
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    page = watch(context.new_page())
    # Every page loads the site's search index (1 MB) and builds it in a worker, the same work on
    # each page: the sweep serves an index with the site's configuration and no documents (about a
    # quarter of the sweep's time), and test_search_finds_a_page searches the real one.
    empty_index = json.dumps({"config": json.loads(search_index.read_text(encoding="utf-8"))["config"], "docs": []})
    page.route("**/search/search_index.json",
               lambda r: r.fulfill(status=200, content_type="application/json", body=empty_index))
    in_flight = set()  # requests of the open page not answered yet
    page.on("request", lambda r: in_flight.add(r))
    page.on("requestfinished", lambda r: in_flight.discard(r))
    page.on("requestfailed", lambda r: in_flight.discard(r))
    pages = {}
    for path in paths:
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        page.goto(server + path.replace("//", "/"), wait_until="load")
        # what the page fetches after it loaded (the search index, say) must arrive too; waiting for
        # that is quicker than Playwright's "networkidle" (half a second of quiet a page)
        for _ in range(250):
            if not in_flight:
                break
            page.wait_for_timeout(20)
        assert not in_flight, f"{path}: requests still open after 5 s: {[r.url for r in in_flight]}"
        found = {"titles": page.locator("article h1").count(), "broken_images": page.evaluate(BROKEN_IMAGES),
                 "desktop_code": page.evaluate(CODE_WIDTHS)}
        page.set_viewport_size({"width": PHONE, "height": 900})
        found["phone_width"] = page.evaluate("() => document.documentElement.scrollWidth")
        found["phone_too_wide"] = page.evaluate(TOO_WIDE, PHONE) if found["phone_width"] > PHONE else []
        pages[path] = found
    context.close()
    return {"pages": pages, "problems": page.problems, "external": page.external}
