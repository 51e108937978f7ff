"""Exercises (``exercises/``): every starter runs as pasted, every solution passes its check, every
starter of a code exercise fails it, every theory, CNN and lesson page has 3–6 exercises, and the
built pages show exactly the tested code.

Each program runs once per ``make test``. The site build runs the answers (a predict exercise's
starter and check, a code exercise's solution and check) and stops on an error, so the tests read
that run from the built page. The rest (a code exercise's starter with its check pasted under it,
an open question's starter) run here, in children forked from a warm interpreter
(``programs.py``: what a child gets is what ``python script.py`` gets), each with one torch thread
(the result of a program does not depend on it; the checks allow for rounding).
``test_a_reader_gets_what_the_answer_shows`` runs a predict exercise of each section in a new
``python`` and compares with the page (their output must not vary).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DOCS, PYTHON, ROOT, once_per_session, page_html, run_fresh
from pages import article, normalize, python_blocks, soup
from programs import zygote

from dlnotes._site_exercises import (
    EXERCISES_DIR,
    INDEX_MARKER,
    by_page,
    exercise_template,
    page_title,
    parse,
)

SECTION_DIRS = ("theory", "cnn", "lessons")  # and every notebook (docs/notebooks/, theory in the nav)
# Pages of those sections that need no exercises, and why (keep it to pages that teach nothing new).
EXEMPT = {
    "theory/index.md": "section index: a list of the theory pages",
    "cnn/index.md": "section index: a list of the CNN pages",
    "lessons/index.md": "section index: a list of the lessons",
}
MIN_PER_PAGE, MAX_PER_PAGE = 3, 6
TIMEOUT = 120

PAGES = by_page(ROOT)
EXERCISES = [ex for items in PAGES.values() for ex in items]


def ex_id(ex) -> str:
    return f"{ex.folder}/{ex.path.name}"


def template_exercise(root: Path):
    """The exercise ``new-lesson`` writes, as a file under ``root``."""
    path = root / EXERCISES_DIR / "lessons" / "new-lesson" / "01_count_sneakers.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(exercise_template(), encoding="utf-8")
    return parse(path, root)


@pytest.fixture(scope="session")
def runs(tmp_path_factory, worker_id) -> dict:
    """The exercise programs the site build does not run (and new-lesson's template, which no page
    shows), run once per session, shared by the xdist workers: {"<exercise id>:<program>": (returncode, stdout, stderr)}."""
    return once_per_session(tmp_path_factory, worker_id, "exercise-runs", lambda: _run_all(tmp_path_factory.mktemp("exercise-runs")))


def programs_outside_the_build(ex, built: bool = True) -> dict[str, tuple[str, ...]]:
    """The programs of an exercise that the tests run: {label: sections}.

    The build runs, each in a session of its own, a predict exercise's starter (and its check)
    and a code exercise's solution and check: a passing strict build is their run. A code
    exercise's starter runs here with its check pasted under it, as a reader does: it must get
    through the starter and fail in the check. An open question's starter runs alone.
    """
    programs = {}
    if ex.kind == "code":
        programs["starter+check"] = ("starter", "check")
        if not built:
            programs["solution+check"] = ("solution", "check")
    elif ex.kind == "open" and "starter" in ex.sections:
        programs["starter"] = ("starter",)
    return programs


def _run_all(base: Path) -> dict:
    jobs = []
    for ex, built in [(ex, True) for ex in EXERCISES] + [(template_exercise(base / "template"), False)]:
        for label, names in programs_outside_the_build(ex, built).items():
            name = f"{ex_id(ex)}:{label}"
            cwd = base / f"{len(jobs):03d}"
            cwd.mkdir()
            (cwd / "exercise.py").write_text(ex.program(*names), encoding="utf-8")
            jobs.append({"name": name, "cwd": str(cwd), "script": str(cwd / "exercise.py"), "timeout": TIMEOUT})
    results = zygote().run_many(jobs, width=1)
    return {name: (r["returncode"], r["stdout"], r["stderr"]) for name, r in results.items()}


def failing_line(stderr: str, script: str = "exercise.py") -> int | None:
    """The line of ``script`` where the traceback in ``stderr`` ends, if it ends there."""
    lines = re.findall(rf'File "[^"]*{re.escape(script)}", line (\d+)', stderr)
    return int(lines[-1]) if lines else None


def theory_cnn_lesson_pages() -> list[str]:
    """The pages that need exercises: Markdown pages of those sections, and the notebooks (theory)."""
    pages = [p for d in SECTION_DIRS for p in (DOCS / d).glob("*.md")] + list((DOCS / "notebooks").glob("*.ipynb"))
    return sorted(p.relative_to(DOCS).as_posix() for p in pages)


# ------------------------------------------------------------------ the format


def test_the_site_has_enough_exercises():
    kinds = [ex.kind for ex in EXERCISES]
    assert len(EXERCISES) >= 40, f"{len(EXERCISES)} exercises; the site promises at least 40"
    assert kinds.count("code") >= 25, f"{kinds.count('code')} code exercises; the site promises at least 25"


@pytest.mark.parametrize("page", theory_cnn_lesson_pages())
def test_every_page_has_three_to_six_exercises(page):
    if page in EXEMPT:
        return
    items = PAGES.get(page, [])
    folder = f"{EXERCISES_DIR}/{Path(page).with_suffix('').as_posix()}/"
    how = (
        f"Add one file per exercise under {folder}, named <nn>_<slug>.py (01_..., 02_..., easy first), "
        f"in the format of docs/contributing.md#exercises (copy e.g. {EXERCISES[0].snippet} and edit it): "
        "at least one 'code' exercise (starter with # TODO lines, solution, check) and one 'open' question "
        "with further reading. Index pages only: add the page to EXEMPT in tests/test_exercises.py with a reason."
    )
    assert MIN_PER_PAGE <= len(items) <= MAX_PER_PAGE, f"docs/{page} has {len(items)} exercises; it needs {MIN_PER_PAGE}–{MAX_PER_PAGE}. {how}"
    kinds = {ex.kind for ex in items}
    assert "code" in kinds and "open" in kinds, f"docs/{page} has exercises of kinds {sorted(kinds)}. {how}"
    order = ["easy", "medium", "hard"]
    levels = [order.index(ex.difficulty) for ex in items]
    assert levels == sorted(levels), f"{folder}: number the exercises easy first: {[ex.difficulty for ex in items]}"


def test_exemptions_are_real_pages():
    for page in EXEMPT:
        assert (DOCS / page).is_file(), f"EXEMPT lists docs/{page}, which does not exist"


def test_every_exercise_folder_belongs_to_a_page():
    for page in PAGES:
        assert (DOCS / page).is_file(), f"{EXERCISES_DIR}/{PAGES[page][0].folder}/ holds exercises, but docs/{page} does not exist"


@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if ex.kind == "open"], ids=ex_id)
def test_open_questions_point_to_further_reading(ex):
    assert "](http" in ex.answer, f"{ex_id(ex)}: the answer of an open question links to further reading"


# ------------------------------------------------------------------ running them


@pytest.mark.slow
@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if ex.kind != "predict" and "starter" in ex.sections], ids=ex_id)
def test_starter_runs_as_pasted(ex, runs):
    if ex.kind == "open":
        code, out, err = runs[f"{ex_id(ex)}:starter"]
        assert code == 0, f"the starter of {ex_id(ex)} fails as it is:\n{err[-3000:]}"
        return
    code, out, err = runs[f"{ex_id(ex)}:starter+check"]
    starter_lines = len(ex.sections["starter"].splitlines())
    line = failing_line(err)
    assert code != 0 and line is not None and line > starter_lines, (
        f"the starter of {ex_id(ex)} (lines 1-{starter_lines}, the check pasted under it) should run and the check "
        f"fail, but it stopped at line {line}:\n{err[-3000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if ex.kind == "code"], ids=ex_id)
def test_check_on_the_starter(ex, runs):
    """A code starter is deliberately incomplete: its check must fail, with an AssertionError
    (a NameError would mean the check uses names the starter does not define)."""
    code, out, err = runs[f"{ex_id(ex)}:starter+check"]
    assert code != 0, f"the check of {ex_id(ex)} passes on the unchanged starter, so it checks nothing"
    last = err.strip().splitlines()[-1] if err.strip() else ""
    assert last.startswith("AssertionError"), f"the check of {ex_id(ex)} on the starter should fail with AssertionError, got:\n{err[-2000:]}"


def answer_box(ex, built_site):
    """The exercise's answer box on its built page (the ``??? success`` after its heading)."""
    body = article(soup(page_html(built_site["dir"], DOCS / ex.page)))
    heading = body.find(id=ex.anchor)
    assert heading is not None, f"docs/{ex.page} has no heading #{ex.anchor}"
    for sibling in heading.find_next_siblings():
        if sibling.name and sibling.name.startswith("h") and sibling.name[1:].isdigit():
            break
        if sibling.name == "details" and "success" in sibling.get("class", []):
            return sibling
    raise AssertionError(f"{ex_id(ex)}: no answer box under #{ex.anchor} on docs/{ex.page}")


@pytest.mark.site
@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if ex.kind in ("code", "predict")], ids=ex_id)
def test_the_build_ran_the_answer(ex, built_site):
    """A predict exercise's starter (and check) and a code exercise's solution with its check ran in
    the strict build, which stops on an error: the answer box shows that run's code and output."""
    box = answer_box(ex, built_site)
    blocks = [normalize(div.find("code").get_text()) for div in box.select("div.language-python.highlight")]
    outputs = [div.get_text() for div in box.select("div.language-text.highlight")]
    ran = ("solution", "check") if ex.kind == "code" else ("starter", "check")
    for name in ran:
        if name in ex.sections and not (ex.kind == "predict" and name == "starter"):  # a predict box shows the output only
            assert normalize(ex.sections[name]) in blocks, f"{ex_id(ex)}: the answer box does not show the {name}"
    if ex.kind == "predict":
        assert outputs and outputs[0].strip(), f"{ex_id(ex)}: the answer box shows no output of this build"
    elif "check passed" in ex.sections["check"]:
        assert outputs and "check passed" in outputs[-1], f"{ex_id(ex)}: the check's output is not in the answer box:\n{outputs}"


# One predict exercise per section (their output must not vary): a sample, as a fresh python costs seconds.
PREDICT_SAMPLE = list({ex.page.split("/")[0]: ex for ex in reversed(EXERCISES) if ex.kind == "predict"}.values())


@pytest.mark.site
@pytest.mark.slow
@pytest.mark.site_first
def test_a_reader_gets_what_the_answer_shows(built_site, tmp_path):
    """A predict program run in a new ``python``, as a reader runs it, prints what the answer box
    says this build printed."""
    assert PREDICT_SAMPLE, "no predict exercises to compare"
    for ex in PREDICT_SAMPLE:
        script = tmp_path / f"{ex.folder.replace('/', '_')}_{ex.path.name}"
        script.write_text(ex.program("starter"), encoding="utf-8")
        fresh = run_fresh(script, cwd=tmp_path, timeout=TIMEOUT)
        assert fresh["returncode"] == 0, f"{ex_id(ex)}:\n{fresh['stderr'][-2000:]}"
        printed = answer_box(ex, built_site).select_one("div.language-text.highlight").get_text()
        assert normalize(fresh["stdout"]) == normalize(printed), f"{ex_id(ex)} prints differently in a new python (a predict program must not vary)"


# ------------------------------------------------------------------ the built site


@pytest.mark.site
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_shows_the_tested_code(page, built_site):
    """The page's exercises are the files' sections, verbatim, and each solution ran at the build."""
    html = soup(page_html(built_site["dir"], DOCS / page))
    shown = [normalize(b.code) for b in python_blocks(html)]
    body = article(html)
    for ex in PAGES[page]:
        assert body.find(id=ex.anchor), f"docs/{page} has no heading #{ex.anchor} for {ex_id(ex)}"
        for name in ("starter", "solution", "check"):
            if name in ex.sections:
                assert normalize(ex.sections[name]) in shown, f"docs/{page} does not show the {name} of {ex_id(ex)}"
    outputs = body.select(".admonition.success .language-text, details.success .language-text")
    printed = sum(ex.kind == "predict" or "solution" in ex.sections for ex in PAGES[page])
    assert len(outputs) >= printed, f"docs/{page}: {len(outputs)} build outputs in the answer boxes for {printed} exercises that print"


@pytest.mark.site
def test_exercises_page_lists_every_exercise(built_site):
    page = soup(built_site["dir"] / "exercises" / "index.html")
    body = article(page)
    assert INDEX_MARKER not in str(body)
    links = {a["href"] for a in body.select("table a")}
    for ex in EXERCISES:
        target = f"../{ex.folder}/#{ex.anchor}"
        assert target in links, f"docs/exercises.md does not link to {ex_id(ex)} ({target})"
        assert page_title(ex.page) in body.get_text()
    assert f"{len(EXERCISES)} exercises" in body.get_text()


def test_new_lesson_scaffolds_a_valid_exercise(tmp_path, runs):
    """``new-lesson`` writes a first exercise in the format, never over an existing one; the template
    parses, its starter runs, its check fails on the starter and passes on the solution."""
    from dlnotes.cli import main

    (tmp_path / "docs" / "lessons").mkdir(parents=True)
    (tmp_path / "snippets").mkdir()
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    assert main(["new-lesson", "Lesson 9: Tests", "--root", str(tmp_path), "--no-nav"]) == 0
    path = tmp_path / EXERCISES_DIR / "lessons" / "lesson-9-tests" / "01_count_sneakers.py"
    ex = parse(path, tmp_path)
    assert (ex.page, ex.kind) == ("lessons/lesson-9-tests.md", "code")
    assert path.read_text(encoding="utf-8") == exercise_template()
    name = "lessons/new-lesson/01_count_sneakers.py"
    code, _, err = runs[f"{name}:starter+check"]
    assert code != 0 and err.strip().splitlines()[-1].startswith("AssertionError"), err
    assert failing_line(err) > len(ex.sections["starter"].splitlines()), f"the template's starter fails:\n{err}"
    assert runs[f"{name}:solution+check"][0] == 0, runs[f"{name}:solution+check"][2]
    path.write_text("mine\n")
    with pytest.raises(SystemExit, match="already exists"):
        main(["new-lesson", "Lesson 9: Tests", "--root", str(tmp_path), "--no-nav"])
    assert path.read_text() == "mine\n"


def test_exercise_files_are_ruff_clean():
    proc = subprocess.run([PYTHON, "-m", "ruff", "check", "--no-cache", EXERCISES_DIR], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
