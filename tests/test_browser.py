"""The built site in a real browser (Debian's Chromium, headless, driven by Playwright).

Every page loads with no JavaScript error and no failed request, nothing is fetched from
outside this machine (the site works offline: no CDN for fonts, math or scripts), search
finds pages, math is laid out, figures decode, code blocks have copy buttons, and the
light/dark toggle works.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import DOCS, NOTEBOOKS, page_html

pytestmark = pytest.mark.site

CHROMIUM = os.environ.get("DLNOTES_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(QuietHandler, directory=str(built_site["dir"]))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
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


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.external = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            page.external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("requestfailed", lambda r: r.url not in page.external and page.problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"))
    yield page
    context.close()


def site_paths(site: Path) -> list[str]:
    sources = sorted(DOCS.rglob("*.md")) + sorted(NOTEBOOKS.glob("*.ipynb"))
    return ["/" + str(page_html(site, s).parent.relative_to(site)).strip(".") for s in sources]


def test_every_page_loads_cleanly_and_offline(page, server, built_site):
    paths = site_paths(built_site["dir"])
    assert len(paths) >= 8
    for path in paths:
        page.goto(server + path.replace("//", "/"), wait_until="networkidle")
        assert page.locator("article h1").count() >= 1, f"{path}: no title"
        broken = page.evaluate(
            "[...document.querySelectorAll('article img')].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)"
        )
        assert not broken, f"{path}: images that don't decode: {broken}"
    assert not page.problems, "\n".join(page.problems)
    assert not page.external, "requests leaving the machine:\n" + "\n".join(sorted(set(page.external)))


def test_search_finds_a_page(page, server):
    page.goto(server + "/", wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("broadcasting", delay=30)  # typed, as a reader does
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=15000)
    assert "theory/tensors" in result.get_attribute("href")
    assert page.locator(".md-search-result mark").count() >= 1  # search highlighting


def test_math_figures_and_copy_buttons_on_the_tensors_page(page, server):
    page.goto(server + "/theory/tensors/", wait_until="networkidle")
    box = page.locator("article math").first.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 5, "MathML is not laid out"
    figure = page.locator("figure.dl-figure img").first
    assert figure.evaluate("i => i.naturalWidth") > 300
    assert page.locator("article div.language-python button[data-md-type='copy']").count() >= 4
    assert not page.problems, "\n".join(page.problems)


def test_dark_mode_toggle(page, server):
    page.goto(server + "/", wait_until="networkidle")
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}
