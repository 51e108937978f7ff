"""The built site in a real browser (Debian's Chromium, headless, driven by Playwright).

Every page loads with no JavaScript error and no failed request, nothing is fetched from
outside this machine (the site works offline: no CDN for fonts, math or scripts), search
finds pages, math is laid out, figures decode, code blocks have copy buttons, and the
light/dark toggle works.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.site

@pytest.mark.site_first
def test_every_page_loads_cleanly_and_offline(sweep):
    assert len(sweep["pages"]) >= 8
    for path, found in sweep["pages"].items():
        assert found["titles"] >= 1, f"{path}: no title"
        assert not found["broken_images"], f"{path}: images that don't decode: {found['broken_images']}"
    assert not sweep["problems"], "\n".join(sweep["problems"])
    assert not sweep["external"], "requests leaving the machine:\n" + "\n".join(sorted(set(sweep["external"])))


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
