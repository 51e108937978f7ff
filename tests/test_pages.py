"""Page-level checks on the built site: meta descriptions, summaries, the glossary, the errata page
and its correction boxes, and the sentences on pages that describe what the build printed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml
from conftest import DOCS, NOTEBOOKS, ROOT, page_html
from pages import article, soup, text_outputs

from dlnotes._site_kb import correction_anchor, slugify

pytestmark = pytest.mark.site

PAGES = sorted(DOCS.rglob("*.md")) + sorted(NOTEBOOKS.glob("*.ipynb"))
# Section index pages are maps of their section, the API page is generated from docstrings and the
# exercises page is a generated list of every page's exercises: none of them teaches anything to
# summarise. They still need a description.
NO_SUMMARY = {p for p in PAGES if p.name == "index.md"} | {DOCS / "reference" / "api.md", DOCS / "exercises.md"}


def _site_description() -> str:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return re.search(r"^site_description:\s*(.+)$", text, re.MULTILINE).group(1).strip()


def _url(source: Path) -> str:
    """The site-relative URL of a page: 'theory/tensors/' (directory URLs), '' for the home page."""
    folder = page_html(Path("/"), source).parent
    return "" if folder == Path("/") else f"{folder.relative_to('/')}/"


def _ids(site: Path, url_path: str) -> set[str] | None:
    """Every id on the built page at ``url_path`` (site-relative), or None if there is no such page."""
    path = site / unquote(url_path).lstrip("/")
    if path.is_dir() or url_path.endswith("/") or url_path == "":
        path = path / "index.html"
    if not path.is_file():
        return None
    return {el["id"] for el in soup(path).select("[id]")}


def _internal_links(page_url: str, container) -> list[tuple[str, str]]:
    """(target page path, fragment) of every link to another page of the site inside ``container``."""
    links = []
    for a in container.select("a[href]"):
        href = a["href"]
        if urlparse(href).scheme or href.startswith(("mailto:", "//")):
            continue
        target = urlparse(urljoin("/" + page_url, href))
        links.append((target.path, target.fragment))
    return links


# ---------------------------------------------------------------------------------- every page


@pytest.mark.parametrize("source", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_has_its_own_meta_description(source, built_site):
    meta = soup(page_html(built_site["dir"], source)).select_one('meta[name="description"]')
    assert meta is not None, f"{source.name}: no <meta name=description>"
    content = meta.get("content", "").strip()
    assert content and content != _site_description(), (
        f"{source.relative_to(ROOT)}: no description of its own (add `description:` to the front matter, "
        "or to the notebook's metadata)"
    )


@pytest.mark.parametrize("source", [p for p in PAGES if p not in NO_SUMMARY], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_has_a_summary(source, built_site):
    page = soup(page_html(built_site["dir"], source))
    headings = [h.get_text(" ", strip=True).rstrip("¶").strip() for h in page.select("h2")]
    assert "Summary" in headings, f"{source.relative_to(ROOT)} has no '## Summary' section (h2s: {headings})"


def test_the_summary_check_finds_what_is_there_and_only_that(built_site):
    """The summary test looks at real headings: the tensors page has one, the API page has none."""
    def h2s(source):
        return [h.get_text(" ", strip=True).rstrip("¶").strip() for h in soup(page_html(built_site["dir"], source)).select("h2")]

    assert "Summary" in h2s(DOCS / "theory" / "tensors.md")
    assert "Summary" not in h2s(DOCS / "reference" / "api.md")


def test_home_page_links_glossary_resources_and_errata(built_site):
    links = {path for path, _ in _internal_links("", article(soup(built_site["dir"] / "index.html")))}
    assert {"/glossary/", "/resources/", "/errata/"} <= links


def test_navigation_follows_the_theory_reading_order():
    """theory/index.md says to start with tensors and gradient descent; the nav must agree with its list."""
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    theory = next(section["Theory"] for section in nav if isinstance(section, dict) and "Theory" in section)
    nav_pages = [next(iter(item.values())) for item in theory if isinstance(item, dict)]
    # the overview first (it needs nothing), then what theory/index.md names as the start
    assert nav_pages[:3] == ["theory/what-is-deep-learning.md", "theory/tensors.md", "notebooks/gradient-descent.ipynb"]
    index = (DOCS / "theory" / "index.md").read_text(encoding="utf-8")
    listed = [("theory/" + link) if not link.startswith("..") else link[3:] for link in re.findall(r"^- \[[^\]]+\]\(([^)#]+)\)", index, re.MULTILINE)]
    assert [p for p in nav_pages if p in listed] == listed


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml holds !!python/name tags; the navigation does not need them resolved."""


_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


# ---------------------------------------------------------------------------------- glossary


def test_glossary_links_on_pages_point_to_existing_terms(built_site):
    site = built_site["dir"]
    terms = _ids(site, "glossary/")
    assert terms and len(terms) > 60
    missing, seen = [], 0
    for source in PAGES:
        page_url = _url(source)
        for path, fragment in _internal_links(page_url, article(soup(page_html(site, source)))):
            if path == "/glossary/" and fragment:
                seen += 1
                if fragment not in terms:
                    missing.append(f"{source.relative_to(ROOT)} -> glossary#{fragment}")
    assert seen > 50, f"only {seen} links to glossary terms on the whole site"
    assert not missing, "links to glossary terms that do not exist:\n" + "\n".join(missing)


def test_every_glossary_term_has_an_anchor_and_links_to_a_page_that_shows_it(built_site):
    site = built_site["dir"]
    body = article(soup(site / "glossary" / "index.html"))
    terms = body.select("dl > dt")
    assert len(terms) > 60
    problems = []
    for dt in terms:
        if not dt.get("id"):
            problems.append(f"{dt.get_text(strip=True)}: no anchor")
            continue
        dd = dt.find_next_sibling("dd")
        links = [(p, f) for p, f in _internal_links("glossary/", dd) if p != "/glossary/"]
        if not links:
            problems.append(f"{dt['id']}: links to no page")
        for path, fragment in links:
            ids = _ids(site, path)
            if ids is None:
                problems.append(f"{dt['id']}: {path} does not exist")
            elif fragment and fragment not in ids and not path.startswith("/notebooks/"):
                problems.append(f"{dt['id']}: {path} has no #{fragment}")
    assert not problems, "\n".join(problems)


def test_hover_definitions_are_on_pages_and_never_in_code(built_site):
    site = built_site["dir"]
    marked = 0
    for source in PAGES:
        body = article(soup(page_html(site, source)))
        marked += len(body.select("abbr[title]"))
        inside_code = body.select("pre abbr, code abbr")
        assert not inside_code, f"{source.name}: a hover definition inside code: {inside_code[0]}"
    assert marked > 100
    tensors = article(soup(site / "theory" / "tensors" / "index.html"))
    assert tensors.select_one('abbr[title^="PyTorch\'s automatic differentiation"]').get_text() == "autograd"


# ---------------------------------------------------------------------------------- errata


def _errata_entries(site: Path) -> list[tuple[str, list]]:
    """(entry id, the elements of the entry) for every ### entry of the errata page."""
    body = article(soup(site / "errata" / "index.html"))
    entries = []
    for h3 in body.select("h3"):
        parts = []
        for sibling in h3.find_next_siblings():
            if sibling.name in ("h2", "h3"):
                break
            parts.append(sibling)
        entries.append((h3.get("id", ""), parts))
    return entries


def test_errata_lists_every_error_the_review_found(built_site):
    ids = [entry_id for entry_id, _ in _errata_entries(built_site["dir"])]
    assert {f"s-{n:02d}" for n in range(1, 40)} <= set(ids), sorted({f"s-{n:02d}" for n in range(1, 40)} - set(ids))
    assert len(ids) == len(set(ids))


def test_every_errata_entry_links_to_a_page_and_an_anchor_that_exist(built_site):
    site = built_site["dir"]
    entries = _errata_entries(site)
    assert len(entries) >= 39
    problems = []
    for entry_id, parts in entries:
        links = [(p, f) for part in parts for p, f in _internal_links("errata/", part) if p != "/errata/"]
        anchored = [(p, f) for p, f in links if f]
        if not anchored:
            problems.append(f"{entry_id}: no link to a page and an anchor")
        for path, fragment in anchored:
            ids = _ids(site, path)
            if ids is None:
                problems.append(f"{entry_id}: the page {path} does not exist")
            elif fragment not in ids:
                problems.append(f"{entry_id}: {path} has no anchor #{fragment}")
    assert not problems, "\n".join(problems)


def test_errata_link_check_catches_a_missing_anchor(built_site, tmp_path):
    """The check above is not vacuous: the same lookup fails for an anchor that is not on the page."""
    ids = _ids(built_site["dir"], "/theory/image-kernels/")
    assert "correction-the-right-edge-detector" in ids
    assert "correction-the-wrong-edge-detector" not in ids
    assert _ids(built_site["dir"], "/theory/no-such-page/") is None


def test_every_correction_box_has_an_anchor_and_an_errata_entry(built_site):
    site = built_site["dir"]
    linked = {
        (path, fragment)
        for _, parts in _errata_entries(site)
        for part in parts
        for path, fragment in _internal_links("errata/", part)
    }
    boxes, problems = 0, []
    for source in PAGES:
        page_url = "/" + _url(source)
        for box in article(soup(page_html(site, source))).select("div.admonition"):
            title = box.select_one(".admonition-title")
            if title is None or not title.get_text(strip=True).lower().startswith("correction"):
                continue
            boxes += 1
            anchor = box.get("id", "")
            if not anchor.startswith("correction-"):
                problems.append(f"{source.relative_to(ROOT)}: box {title.get_text(strip=True)!r} has no short title, so no anchor")
            elif (page_url, anchor) not in linked:
                problems.append(f"{source.relative_to(ROOT)}#{anchor} is not listed on the errata page")
    assert boxes >= 20
    assert not problems, "\n".join(problems)


def test_correction_anchor_slugs():
    assert correction_anchor("Correction: The right edge detector") == "correction-the-right-edge-detector"
    assert correction_anchor("Correction: plot_lr draws the schedule") == "correction-plot-lr-draws-the-schedule"
    assert correction_anchor("Correction: Where the test starts, and whose rule ÷10 is") == (
        "correction-where-the-test-starts-and-whose-rule-10-is"
    )
    assert correction_anchor("Correction") is None
    assert correction_anchor("Train briefly before you look") is None
    assert slugify("Pick the device, don't call .cuda()") == "pick-the-device-dont-call-cuda"


def test_correction_boxes_get_unique_anchors_in_markdown():
    import markdown

    from dlnotes._site_kb import CorrectionAnchors

    html = markdown.Markdown(extensions=["admonition", CorrectionAnchors()]).convert(
        '!!! warning "Correction: Same title"\n    one\n\n'
        '!!! warning "Correction: Same title"\n    two\n\n'
        '!!! warning "Correction"\n    untitled\n\n'
        '!!! note "A note"\n    not a correction\n'
    )
    assert html.count('id="correction-same-title"') == 1
    assert html.count('id="correction-same-title-2"') == 1
    assert html.count("id=") == 2


def test_a_correction_title_with_code_gets_an_anchor_from_its_words():
    """Inline code in a title is stashed away by pymdownx.inlinehilite; the anchor is still made of its words."""
    import markdown

    from dlnotes._site_kb import CorrectionAnchors

    html = markdown.Markdown(extensions=["admonition", "pymdownx.inlinehilite", CorrectionAnchors()]).convert(
        '!!! warning "Correction: `plot_lr` draws the `schedule`"\n    one\n'
    )
    assert 'id="correction-plot-lr-draws-the-schedule"' in html, html


# ---------------------------------------------------------------------------------- prose vs outputs


def _output(site: Path, url: str, needle: str) -> str:
    outputs = [o for o in text_outputs(soup(site / url / "index.html")) if needle in o]
    assert outputs, f"no output containing {needle!r} on {url}"
    return outputs[0]


def test_lesson_1_accuracy_is_close_to_nine_in_ten(built_site):
    """lesson-1.md: "right about nine times in ten", "close to nine images in ten"."""
    out = _output(built_site["dir"], "lessons/lesson-1", "validation:")
    accuracy = float(re.search(r"'accuracy': ([0-9.]+)", out).group(1))
    assert 0.85 <= accuracy < 0.95, accuracy


def test_data_page_gap_appears_before_the_best_epoch(built_site):
    """data.md: the loss gap appears before the validation loss stops falling, and the loss then climbs."""
    out = _output(built_site["dir"], "lessons/data", "lowest validation loss after epoch")
    gap = int(re.search(r"under half the validation loss from epoch (\d+)", out).group(1))
    best = int(re.search(r"lowest validation loss after epoch (\d+)", out).group(1))
    assert gap < best
    rows = [line.split() for line in out.splitlines() if re.match(r"\s*\d+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s*$", line)]
    valid = {int(r[0]): float(r[2]) for r in rows}
    assert valid[max(valid)] > valid[best]  # "and then climbs"
    train = {int(r[0]): float(r[1]) for r in rows}
    assert train[max(train)] < 0.05  # "falls all the way to nearly zero"


def test_learning_rate_page_curves_match_the_text(built_site):
    """learning-rate.md: too small barely leaves ln 10, good falls fast, too large stays at guessing."""
    out = _output(built_site["dir"], "theory/learning-rate", "over the last 10 batches")
    last = {float(lr): float(end) for lr, end in re.findall(r"lr ([0-9.]+)\s.*?([0-9.]+) over the last 10 batches", out)}
    # "barely left 2.30" and "stays around [the guessing level]": both within 0.5 of ln 10, and
    # both far above where the good rate ends.
    assert last[0.001] > 1.8 and last[3.0] > 1.8
    assert last[0.1] < 0.5 * last[0.001] and last[0.1] < 0.5 * last[3.0]
    correction = _output(built_site["dir"], "theory/learning-rate", "notes learning rate")
    acc = {name: float(a) for name, a in re.findall(r"at the\s+(notes|lr_find) learning rate [0-9.e-]+: test accuracy ([0-9.]+)%", correction)}
    assert acc["notes"] < acc["lr_find"] - 2  # "the notes' rate trains, but far more slowly"


def test_lesson_2_most_planted_mistakes_are_at_the_top(built_site):
    """lesson-2.md: "Most of the planted mistakes are at the top of the list"."""
    out = _output(built_site["dir"], "lessons/lesson-2", "planted mistakes among the top")
    n, first = map(int, re.search(r"among the top (\d+) suspects: (\d+)\s*$", out, re.MULTILINE).groups())
    assert first > n / 2


def test_what_cnns_learn_share_rises_layer_by_layer(built_site):
    """what-cnns-learn.md: layer 1 a mix only somewhat above chance, the share rising in layers 2 and 3."""
    out = _output(built_site["dir"], "cnn/what-cnns-learn", "20 random images")
    chance = float(re.search(r"20 random images: ([0-9.]+)", out).group(1))
    layers = {int(d): (float(avg), int(one), int(n)) for d, avg, one, n in
              re.findall(r"layer (\d): ([0-9.]+) on average; (\d+) of (\d+) channels", out)}
    assert chance < layers[1][0] < layers[2][0] < layers[3][0]
    assert layers[1][0] < 0.75  # still "a mix"
    assert layers[3][1] >= 0.2 * layers[3][2]  # "a good part of the channels" nearly all one class


def test_convolution_floor_rows_match_the_text(built_site):
    """convolution.md: the floor acts on even sizes with stride 2 (28 → 14), not on the odd-size rows."""
    out = _output(built_site["dir"], "theory/convolution", "floor used")
    row = next(line for line in out.splitlines() if line.startswith("5x5, padding 2, stride 2"))
    assert "(28 + 2*2" in row and "=  14" in row and "floor used" in row
    assert "floor used" not in next(line for line in out.splitlines() if line.startswith("3x3, padding 1 keeps"))


# ---------------------------------------------------------------- moved here from the unit-test modules


def test_lesson_1_page_shows_the_interpretation_of_its_model(built_site):
    page = soup(built_site["dir"] / "lessons" / "lesson-1" / "index.html")
    text = "\n".join(text_outputs(page))
    assert re.search(r"2000 validation images, accuracy 0\.\d{4}", text)
    counts = [int(n) for n in re.findall(r"^\s+\S.*? -> \S.*?\s+(\d+)$", text.split("most confused (actual -> predicted: count):")[1].split("\n\n")[0], re.M)]
    assert counts and counts == sorted(counts, reverse=True) and min(counts) >= 10
    assert "precision  recall" in text and "weighted avg" in text
    alts = [img.get("alt", "") for img in article(page).select("figure.dl-figure img")]
    assert any(a.startswith("Confusion matrix") for a in alts)
    assert any(a.startswith("Top losses") for a in alts)


def test_what_cnns_learn_page_holds_filters_feature_maps_and_top_images(built_site):
    page = soup(built_site["dir"] / "cnn" / "what-cnns-learn" / "index.html")
    images = article(page).select("figure.dl-figure img[src^='data:image/png;base64,']")
    assert len(images) >= 4  # filters before and after, feature maps, top-activating images
    text = "\n".join(text_outputs(page))
    shares = [float(s) for s in re.findall(r"layer \d: (\d\.\d\d) on average", text)]
    assert len(shares) == 3
    assert shares[0] < shares[1] < shares[2], f"the page says class-specificity rises with depth; measured {shares}"
    assert "arxiv.org/abs/1311.2901" in str(article(page))


def test_lesson_2_page_shows_the_suspects_finding_the_planted_mistakes(built_site):
    page = soup(built_site["dir"] / "lessons" / "lesson-2" / "index.html")
    text = "\n".join(text_outputs(page))
    m = re.search(r"planted mistakes among the top (\d+) suspects: (\d+) of (\d+)", text)
    assert m, "the page does not report how many planted mistakes the suspects hold"
    top, found, planted = map(int, m.groups())
    assert top == 2 * planted and found >= planted / 2
    moved = re.search(r"moved (\d+) files: (\d+) relabelled", text)
    assert moved and int(moved.group(2)) == found  # the simulated person relabels exactly the planted ones found
    assert re.search(r"mislabelled training images: (\d+) before cleaning, (\d+) after", text)
    assert re.search(r"\.png: \S.* \(\d+\.\d%\)", text), "the exported model's prediction for one image is shown"
    assert article(page).select("figure.dl-figure img[src^='data:image/png;base64,']"), "the suspects figure is missing"
