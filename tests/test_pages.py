"""What the pages say, checked against what the build printed on them (site tests).

A page states results only through printed output; these tests read that output on the built
pages and check the sentences that depend on it (the "interpretation", "cleaning" and
"what a CNN learns" pages).
"""

from __future__ import annotations

import re

from pages import article, soup, text_outputs


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
