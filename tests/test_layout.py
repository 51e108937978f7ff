"""Layout in a real browser: code fits on a desktop screen, nothing but code scrolls sideways on a phone."""

from __future__ import annotations

import pytest
from test_browser import browser, server, site_paths  # noqa: F401  (fixtures)

pytestmark = pytest.mark.site

DESKTOP, PHONE = 1440, 375
LONGEST_LINE = 100  # characters a code or output line may have and still show whole on a desktop

# For every code block (source or output) of the article: its longest line and whether it overflows.
CODE_WIDTHS = """() => [...document.querySelectorAll('article pre > code')]
  .filter(c => c.offsetParent !== null && !c.closest('details:not([open])'))
  .map(c => ({longest: Math.max(...c.innerText.split('\\n').map(l => l.length)),
              overflow: c.scrollWidth - c.clientWidth, text: c.innerText.slice(0, 80)}))"""


def _pages(browser, server, built_site, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in site_paths(built_site["dir"]):
        page.goto(server + path.replace("//", "/"), wait_until="load")
        yield path, page
    context.close()


def test_code_lines_up_to_100_characters_are_not_cut_off_on_a_desktop(browser, server, built_site):  # noqa: F811
    checked, cut = 0, []
    for path, page in _pages(browser, server, built_site, DESKTOP):
        for block in page.evaluate(CODE_WIDTHS):
            if block["longest"] <= LONGEST_LINE:
                checked += 1
                if block["overflow"] > 1:
                    cut.append(f"{path}: {block['longest']} chars, {block['overflow']} px cut: {block['text']!r}")
    assert checked > 100, "the check found almost no code blocks"
    assert not cut, "\n".join(cut)


def test_nothing_but_code_scrolls_sideways_on_a_phone(browser, server, built_site):  # noqa: F811
    wide = []
    for path, page in _pages(browser, server, built_site, PHONE):
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE:
            culprits = page.evaluate(
                """(w) => [...document.querySelectorAll('article *')]
                   .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('pre, .highlight, .md-typeset__scrollwrap, .jp-OutputArea, math'))
                   .slice(0, 3).map(e => e.tagName + '.' + e.className)""", PHONE)
            wide.append(f"{path}: page is {width} px wide ({culprits})")
    assert not wide, "\n".join(wide)
