"""The workbook as a person uses it: JupyterLab in a real headless Chromium.

Starts JupyterLab from .venv on a free local port (serving a throw-away copy of the
course, so nothing in the repository is changed), drives Debian's Chromium with
Playwright (nothing is downloaded), and saves a screenshot of every step under
``tests/artifacts/browser/``. Any JavaScript error in the browser console fails the test.

Run alone with ``make test-browser``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (apt-get install chromium); CI installs it",
)

# Console messages that are not errors of the course (the closed network of a test machine).
BENIGN_CONSOLE = re.compile(r"net::ERR_|Failed to load resource|favicon|fonts\.googleapis")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started by ``make lab`` on a copy of the course; yields (url, token, runtime).

    The copy has the course's folders, Makefile and pyproject.toml, and ``make lab`` runs
    there with this test's environment as its ``.venv``: the server is started by the
    learner's own command, and nothing in the repository is saved over.
    """
    stamp = Path(sys.prefix) / ".installed"
    if not stamp.is_file():
        pytest.skip(f"{sys.prefix} was not built by make venv (no .installed): make lab needs it")
    root = tmp_path_factory.mktemp("course")
    for folder in ("notebooks", "assignments", "exams"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, root / folder)
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, root / name)
    before = stamp.stat().st_mtime - 1  # the environment is up to date: make only starts Lab
    os.utime(root / "pyproject.toml", (before, before))
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("home")
    # A fresh user's settings. Render every cell (JupyterLab 4 leaves cells outside the
    # viewport empty by default); the news pop-up is off through make lab itself.
    settings = home / "lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}', encoding="utf-8")
    runtime = home / "runtime"
    env = dict(
        os.environ,
        HOME=str(home),
        JUPYTER_RUNTIME_DIR=str(runtime),
        SOPCOURSE_PROGRESS_FILE=str(home / "progress.json"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    lab_args = (
        f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 "
        f"--IdentityProvider.token={token} --LabApp.expose_app_in_browser=True "
        "--ServerApp.disable_check_xsrf=False"
    )
    cmd = ["make", "-s", "-C", str(root), "lab", f"VENV={sys.prefix}", f"LAB_ARGS={lab_args}"]
    log = open(home / "lab.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (home / "lab.log").read_text())
                time.sleep(0.3)
        yield base, token, runtime
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make and the server it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.fail("Chromium is missing: .ci/run installs it with apt-get install chromium")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class LabPage:
    """A JupyterLab tab with one notebook open, and the console errors it logged."""

    def __init__(self, browser, base, token, path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        # A workspace of its own, so the layout of an earlier page is not restored here.
        workspace = re.sub(r"\W", "-", Path(path).stem)
        self.page.goto(
            f"{base}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}",
            wait_until="domcontentloaded",
        )
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        self.wait_for_kernel()

    def _on_console(self, msg):
        if msg.type == "error" and not BENIGN_CONSOLE.search(msg.text):
            self.errors.append(msg.text)

    def command(self, name: str, args: dict | None = None):
        self.page.evaluate(
            "([name, args]) => window.jupyterapp.commands.execute(name, args)", [name, args or {}]
        )

    def wait_for_kernel(self, timeout: float = 60):
        self.page.wait_for_function(
            """() => {
                const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                return k && k.status === 'idle';
            }""",
            timeout=timeout * 1000,
        )

    def run_all(self, timeout: float = 180):
        self.command("notebook:run-all-cells")
        self.page.wait_for_timeout(500)
        self.page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
                const w = window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                const idle = !!k && k.status === 'idle';
                return idle && prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=timeout * 1000,
        )

    def code_cell_containing(self, text: str):
        return self.page.locator(".jp-CodeCell", has_text=text).first

    def replace_cell_source(self, cell, source: str):
        editor = cell.locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(source)  # no auto-closed brackets

    def run_cell(self, cell):
        cell.locator(".jp-InputArea-editor .cm-content").click()
        self.page.keyboard.press("Control+Enter")
        self.page.wait_for_timeout(300)
        self.wait_for_kernel()

    def screenshot(self, name: str):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_start_here_runs_and_its_self_check_passes_and_hints(lab, browser):
    base, token, _ = lab
    nb = LabPage(browser, base, token, "notebooks/00_start_here.ipynb")
    nb.run_all()
    nb.screenshot("00_start_here_run_all.png")
    cell = nb.code_cell_containing("months_per_year")
    assert "Not answered yet" in cell.inner_text()

    nb.replace_cell_source(
        cell,
        'months_per_year = 12\n\nsop.check_exercise("m0-months", months_per_year, expected=12, '
        'hint="Count January to December.")',
    )
    nb.run_cell(cell)
    cell.locator(".jp-OutputArea-output", has_text="Pass").wait_for(timeout=30_000)
    nb.screenshot("00_start_here_self_check_pass.png")

    nb.replace_cell_source(
        cell,
        'months_per_year = 13\n\nsop.check_exercise("m0-months", months_per_year, expected=12, '
        'hint="Count January to December.")',
    )
    nb.run_cell(cell)
    cell.locator(".jp-OutputArea-output", has_text="Count January to December").wait_for(
        timeout=30_000
    )
    nb.screenshot("00_start_here_self_check_hint.png")
    assert not nb.errors, f"JavaScript errors in the browser console: {nb.errors}"


def test_lesson_explorer_renders_and_redraws_when_a_control_moves(lab, browser):
    base, token, _ = lab
    nb = LabPage(browser, base, token, "notebooks/04_supply_planning.ipynb")
    nb.run_all()
    cell = nb.code_cell_containing("service_level_explorer(")
    cell.scroll_into_view_if_needed()
    handle = cell.locator(".jupyter-widgets .noUi-handle").first
    handle.wait_for(timeout=60_000)
    image = cell.locator(".jupyter-widgets img").first
    image.wait_for(timeout=60_000)
    summary = cell.locator(".widget-html-content").first
    before = (image.get_attribute("src"), summary.inner_text())
    assert "Loading widget" not in cell.inner_text(), "the explorer did not render"
    nb.screenshot("04_supply_planning_explorer_before.png")

    # drag the first slider's handle to the right, as a person would
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    nb.page.mouse.move(x, y)
    nb.page.mouse.down()
    nb.page.mouse.move(x + 40, y, steps=8)
    nb.page.mouse.up()
    nb.page.wait_for_function(
        """([el, src]) => el.getAttribute('src') !== src""",
        arg=[image.element_handle(), before[0]],
        timeout=30_000,
    )
    nb.wait_for_kernel()
    nb.page.wait_for_timeout(500)
    after = (image.get_attribute("src"), summary.inner_text())
    assert after[0] != before[0], "the chart did not redraw"
    assert after[1] != before[1], "the summary line did not change"
    nb.screenshot("04_supply_planning_explorer_after.png")
    assert not nb.errors, f"JavaScript errors in the browser console: {nb.errors}"


def _first_question(source_path: Path):
    """(question id, the answer cell's solution code, the declared answer names) of a source."""
    source = nbformat.read(source_path, as_version=4)
    for cell in source.cells:
        meta = cell.metadata.get("sopcourse", {})
        if cell.cell_type == "code" and "question" in meta and meta.get("answers"):
            code = "\n".join(
                line
                for line in cell.source.splitlines()
                if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
            )
            return meta["question"], code, list(meta["answers"])
    pytest.fail(f"{source_path.name} has no question with declared answers")


def test_homework_self_check_passes_a_right_answer_and_hints_on_a_wrong_one(lab, browser):
    base, token, _ = lab
    students = sorted((REPO / "assignments").glob("hw*/hw*_student.ipynb"))
    if not students:
        pytest.skip("no homework student edition yet")
    student = students[-1]
    source = student.with_name(student.name.replace("_student", ""))
    qid, solution, names = _first_question(source)
    nb = LabPage(browser, base, token, str(student.relative_to(REPO)))
    nb.run_all()
    # Pin the answer cell by position: once answered, it no longer says "# your answer".
    cells = nb.page.locator(".jp-CodeCell")
    position = next(i for i, text in enumerate(cells.all_inner_texts()) if "# your answer" in text)
    answer = cells.nth(position)
    check = nb.code_cell_containing(f'grader.check("{qid}"')
    assert "Not answered yet" in check.inner_text()
    stem = student.stem

    nb.replace_cell_source(answer, solution)
    nb.run_cell(answer)
    nb.run_cell(check)
    try:
        check.locator(".jp-OutputArea-output", has_text="Pass").wait_for(timeout=30_000)
    except Exception:
        nb.screenshot(f"{stem}_self_check_pass_FAILED.png")
        pytest.fail(
            f"the check did not pass.\nanswer cell:\n{answer.inner_text()}\n"
            f"check cell:\n{check.inner_text()}"
        )
    assert "public checks only" in check.inner_text()
    nb.screenshot(f"{stem}_self_check_pass.png")

    nb.replace_cell_source(answer, "\n".join(f'{name} = "not a number"' for name in names))
    nb.run_cell(answer)
    nb.run_cell(check)
    check.locator(".jp-OutputArea-output", has_text="Not yet").wait_for(timeout=30_000)
    nb.screenshot(f"{stem}_self_check_hint.png")
    assert not nb.errors, f"JavaScript errors in the browser console: {nb.errors}"


def test_start_here_opens_first_and_its_links_open_a_homework_and_the_exam(lab, browser):
    """The page a learner's browser opens after make lab, then two clicks."""
    base, token, runtime = lab
    opener = next(runtime.glob("jpserver-file-to-run-*-open.html"), None)
    assert opener is not None, "make lab did not ask to open a file (00_start_here.ipynb)"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and not BENIGN_CONSOLE.search(msg.text):
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.goto(opener.as_uri(), wait_until="domcontentloaded")
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab")
    tab.filter(has_text="00_start_here.ipynb").wait_for(timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell", timeout=60_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start_here_opened_by_make_lab.png"))
    for href, title in (
        ("hw1_student.ipynb", "hw1_student.ipynb"),
        ("exam_student.ipynb", "exam_student.ipynb"),
    ):
        tab.filter(has_text="00_start_here.ipynb").click()
        link = page.locator(
            f'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown a[href*="{href}"]'
        ).first
        link.scroll_into_view_if_needed()
        link.click()
        tab.filter(has_text=title).wait_for(timeout=60_000)
        page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
        heading = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown h1")
        heading.first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"opened_from_start_here_{Path(href).stem}.png"))
    assert not errors, f"JavaScript errors in the browser console: {errors}"
    page.close()


# JavaScript: the labels and buttons of a cell's widgets whose text is cut ("Months of...").
_CUT_LABELS = """(cell) => [...cell.querySelectorAll(
    '.widget-label, .jupyter-widget-label, .widget-toggle-button, .jupyter-widget-toggle-button')]
    .filter(el => el.offsetParent !== null && el.textContent.trim()
                  && el.scrollWidth > el.clientWidth + 1)
    .map(el => el.textContent.trim())"""


def test_explorers_show_whole_labels_the_weights_used_and_equal_sliders(lab, browser):
    """The explorers of Modules 1, 3, 5 and 6 after Run All: no label is cut, the consensus
    explorer shows the normalised weights and names the level of its WAPE, and the Module 5
    sliders have tracks of one length. Saves a screenshot of each explorer's cell."""
    base, token, _ = lab
    cases = [
        ("notebooks/01_introduction.ipynb", "top_down_explorer(", ["Months of history"]),
        ("notebooks/03_demand_planning.ipynb", "consensus_explorer(", ["Weights used"]),
        ("notebooks/05_profit_based_planning.ipynb", "product_mix_explorer(", ["capacity ("]),
        ("notebooks/06_management_review.ipynb", "scorecard_explorer(", ["gross_margin_pct"]),
    ]
    for path, call, texts in cases:
        nb = LabPage(browser, base, token, path)
        nb.run_all(timeout=300)
        cell = nb.code_cell_containing(call)
        cell.scroll_into_view_if_needed()
        output = cell.locator(".jp-OutputArea")
        output.locator(".jupyter-widgets").first.wait_for(timeout=60_000)
        nb.page.wait_for_timeout(1000)  # let the widget views lay out
        text = cell.inner_text()
        assert "Loading widget" not in text, f"{path}: the explorer did not render"
        for expected in texts:
            assert expected in text, f"{path}: {expected!r} not shown"
        cut = cell.evaluate(_CUT_LABELS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{Path(path).stem}_explorer_labels.png"
        output.screenshot(path=str(shot))
        assert not cut, f"{path}: labels cut to '...': {cut} (see {shot.name})"
        if "consensus" in call:
            assert "all-product total" in text, "the WAPE's level is not named"
        if "product_mix" in call:
            widths = cell.evaluate(
                """(cell) => [...cell.querySelectorAll('.noUi-target')]
                    .map(el => Math.round(el.getBoundingClientRect().width))"""
            )
            assert len(widths) >= 3 and max(widths) - min(widths) <= 1, widths
        assert not nb.errors, f"JavaScript errors in the browser console: {nb.errors}"
        nb.page.close()


def test_the_planning_cockpit_plays_two_months_through_its_widgets(lab, browser):
    """Lesson 7 after Run All: the learner opens the stages, writes a reason, clicks
    *Decide and play the month* twice; the header, the data pack and the scorecard follow.
    Saves a screenshot of each stage and of the scorecard."""
    base, token, _ = lab
    nb = LabPage(browser, base, token, "notebooks/07_sop_simulation.ipynb")
    nb.run_all(timeout=300)
    cell = nb.code_cell_containing("sop.widgets.planning_cockpit(")
    cell.scroll_into_view_if_needed()
    header = cell.locator(".widget-html-content", has_text="Tallridge S&OP game").first
    header.wait_for(timeout=60_000)
    assert "month 7 of 12 played" in header.inner_text()
    output = cell.locator(".jp-OutputArea")

    def stage(title: str, expect: str, shot: str):
        cell.locator(".lm-TabBar-tab", has_text=title).first.click()
        cell.locator(".widget-html-content", has_text=expect).first.wait_for(timeout=60_000)
        nb.page.wait_for_timeout(300)
        output.screenshot(path=str(ARTIFACTS / shot))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for month in (8, 9):
        stage("1. Data pack", "What happened", f"07_cockpit_month{month}_1_data_pack.png")
        stage("2. Demand review", "Demand review for", f"07_cockpit_month{month}_2_demand.png")
        stage("3. Supply review", "Rough-cut capacity", f"07_cockpit_month{month}_3_supply.png")
        stage("4. Pre-S&OP", "Scenarios projected", f"07_cockpit_month{month}_4_pre_sop.png")
        stage("5. Executive meeting", "What actions cost", f"07_cockpit_month{month}_5_exec.png")
        cell.locator("textarea").first.fill(f"month {month}: keep service on the peak")
        cell.locator("button", has_text="Decide and play the month").first.click()
        played = f"month {month} of 12 played"
        nb.page.wait_for_function(
            "([el, text]) => el.textContent.includes(text)",
            arg=[header.element_handle(), played],
            timeout=60_000,
        )
        message = cell.locator(".widget-html-content", has_text="Played 2026-").first
        assert f"2026-{month:02d}" in message.inner_text()
    stage("Scorecard & log", "Scorecard after 9 month(s)", "07_cockpit_scorecard.png")
    log = cell.locator(".widget-html-content", has_text="Assumptions and decisions").first
    assert "month 9: keep service on the peak" in log.inner_text()
    assert "Loading widget" not in cell.inner_text()
    assert not nb.errors, f"JavaScript errors in the browser console: {nb.errors}"
    nb.page.close()
