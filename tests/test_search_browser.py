"""The search results page in a real browser (Debian's headless Chromium, as in
test_report_browser): it loads with no console error and a row opens its call's page at the
moment, that utterance marked. Skipped, with the reason, when Chromium or Playwright is missing.
"""

from __future__ import annotations

import pytest
from test_report_browser import Visit, browser  # noqa: F401  (the module's Chromium)
from test_search import write_archive

from analyzer.cli import cli
from analyzer.run.batch import analyze
from analyzer.types import Execution

pytestmark = pytest.mark.slow


def test_search_browser_row_opens_the_call_at_the_moment(browser, tmp_path):  # noqa: F811
    from click.testing import CliRunner

    manifest = write_archive(tmp_path / "archive")
    out = tmp_path / "out"
    analyze([], out, manifest=manifest, execution=Execution(workers=1))
    page_path = out / "searches" / "ten-percent.html"
    result = CliRunner().invoke(cli, ["search", str(out), "ten percent", "--html",
                                      str(page_path)])
    assert result.exit_code == 0, result.output
    visit = Visit(browser, page_path)
    assert visit.page.locator("tbody tr").count() == 1
    assert visit.page.locator("tbody mark").inner_text() == "ten percent"
    link = visit.page.locator("tbody a").first
    with visit.page.expect_navigation(wait_until="load"):
        link.click()
    assert visit.page.url.endswith("call-pages/alice__acme.html#t=4.0")
    assert "ten percent" in visit.page.locator("tr.here").inner_text()
    assert visit.problems == []
    visit.page.close()
