"""Layout in a real browser: code fits on a desktop screen, nothing but code scrolls sideways on a phone.

Both read the one sweep of every page that ``test_browser.py`` makes (each page opened once).
"""

from __future__ import annotations

import pytest
from browser import LONGEST_LINE, PHONE

# They read the sweep that test_browser.py makes: run first among the site tests, with it, so that two
# workers share the sweep (browser.py) instead of one sweeping while the other has nothing left to do.
pytestmark = [pytest.mark.site, pytest.mark.site_first]


def test_code_lines_up_to_100_characters_are_not_cut_off_on_a_desktop(sweep):
    checked, cut = 0, []
    for path, found in sweep["pages"].items():
        for block in found["desktop_code"]:
            if block["longest"] <= LONGEST_LINE:
                checked += 1
                if block["overflow"] > 1:
                    cut.append(f"{path}: {block['longest']} chars, {block['overflow']} px cut: {block['text']!r}")
    assert checked > 100, "the check found almost no code blocks"
    assert not cut, "\n".join(cut)


def test_nothing_but_code_scrolls_sideways_on_a_phone(sweep):
    wide = [f"{path}: page is {found['phone_width']} px wide ({found['phone_too_wide']})"
            for path, found in sweep["pages"].items() if found["phone_width"] > PHONE]
    assert not wide, "\n".join(wide)
