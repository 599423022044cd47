"""The pages in a real browser: Debian's headless Chromium driven by Playwright.

The pages must load from the file system with no console error, draw every chart, play a
call from the moment a flag or a coaching point names, and show hostile transcript text as
text. Screenshots go to tests/artifacts/. Skipped, with the reason, when Chromium or
Playwright is missing (`make test` installs Chromium with apt-get).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module, or a skip that says why there is none."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with "
                    f"apt-get; that was not run or failed")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"{CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


class Visit:
    """One page opened in a fresh tab, with every console error, page error and dialog."""

    def __init__(self, browser, path: Path, fragment: str = "") -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda exc: self.problems.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri() + fragment, wait_until="load")

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def charts_drawn(self) -> list[bool]:
        """For each chart of the page, whether plotly drew its SVG."""
        return self.page.eval_on_selector_all(
            ".chart", "els => els.map(e => e.querySelector('.main-svg') !== null)")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("page, charts", [
    ("index.html", 3), ("reps/alice.html", 4), ("reps/bob.html", 4),
    ("call-pages/bob__2026-10-09-umbrella-pitch.html", 1)])
def test_report_browser_demo_pages_render_without_errors(browser, demo_report, page, charts):
    visit = Visit(browser, demo_report / page)
    visit.screenshot(re.sub(r"\W+", "-", page.removesuffix(".html")))
    assert visit.problems == []
    drawn = visit.charts_drawn()
    assert len(drawn) == charts and all(drawn), drawn
    visit.page.close()


def test_report_browser_clicking_a_flag_plays_from_its_moment(browser, demo_report):
    visit = Visit(browser, demo_report / "call-pages" / "bob__2026-10-09-umbrella-pitch.html")
    flag = visit.page.locator("span.hl mark.pushy_close").first
    start = float(visit.page.locator("span.hl:has(mark.pushy_close)").first
                  .get_attribute("data-t") or "nan")
    flag.click()
    visit.page.wait_for_function("document.getElementById('audio').currentTime > 0")
    position = visit.page.evaluate("document.getElementById('audio').currentTime")
    assert position == pytest.approx(start, abs=0.5)
    assert visit.page.locator("tr.here").count() == 1
    assert visit.problems == []
    visit.page.close()


def test_report_browser_coaching_point_opens_the_call_at_its_moment(browser, demo_report):
    visit = Visit(browser, demo_report / "reps" / "bob.html")
    link = visit.page.locator("ol.points a.listen").first
    href = link.get_attribute("href")
    assert href is not None and "#t=" in href
    with visit.page.expect_navigation(wait_until="load"):
        link.click()
    assert "call-pages/" in visit.page.url and visit.page.locator("tr.here").count() == 1
    assert visit.problems == []
    visit.page.close()


def test_report_browser_calls_table_sorts_on_click(browser, demo_report):
    visit = Visit(browser, demo_report / "index.html")
    header = visit.page.locator("table.leaderboard th", has_text="Talk share")
    column = "Array.from(document.querySelectorAll('table.leaderboard tbody tr'))" \
             ".map(r => r.cells[0].textContent)"
    header.click()
    ascending = visit.page.evaluate(column)
    header.click()
    assert visit.page.evaluate(column) == list(reversed(ascending)) == [
        "bob", "erin", "carol", "dave", "alice"]
    visit.page.close()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    """A run whose rep, call id, file name and transcript carry script injections."""
    from analyzer.run.batch import analyze
    from analyzer.run.transcript_files.own import write_transcript_json
    from analyzer.types import Options, Segment, Transcript

    folder = tmp_path_factory.mktemp("hostile")
    lines = [("Priya", 0.0, 5.0, f"Hi, this is Priya. We are the market leader {PAYLOADS[0]}."),
             ("Dana", 5.5, 12.0, f"We tried {PAYLOADS[0]} and {PAYLOADS[1]} last year."),
             ("Priya", 12.5, 18.0, f"This price is only good until Friday {PAYLOADS[1]}.")]
    write_transcript_json(Transcript(tuple(Segment(*line) for line in lines), ("Priya", "Dana"),
                                     18.0, "callcoach"), folder / "call.json")
    with (folder / "calls.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "rep", "call_id", "rep_speaker"])
        writer.writerow(["call.json", PAYLOADS[0], PAYLOADS[1], "Priya"])
        writer.writerow([f"missing {PAYLOADS[1]}.vtt", PAYLOADS[0], "", ""])
    out = folder / "out"
    results = analyze([], out, manifest=folder / "calls.csv", options=Options(diarize=False))
    assert len(results.calls) == 1 and len(results.errors) == 1
    return out


def test_report_browser_hostile_text_shows_as_text_on_every_page(browser, hostile_report):
    pages = [hostile_report / "index.html", *sorted((hostile_report / "reps").glob("*.html")),
             *sorted((hostile_report / "call-pages").glob("*.html"))]
    assert len(pages) == 3
    for path in pages:
        visit = Visit(browser, path)
        text = visit.page.inner_text("body")
        visit.screenshot(f"hostile-{path.parent.name}")
        assert visit.dialogs == [], path
        assert visit.problems == [], path
        assert visit.page.locator("img").count() == 0, path
        for payload in PAYLOADS:
            assert payload in text, (path, payload)
        if path.parent.name != "out":  # the rep's flagged sentences, the call's transcript
            said = visit.page.inner_text("table.flags" if path.parent.name == "reps"
                                         else "table.transcript")
            assert "leader <script>alert(1)</script>." in said, path
            assert 'Friday "><img src=x onerror=alert(1)>.' in said, path
        assert all(visit.charts_drawn()), path
        visit.page.close()
