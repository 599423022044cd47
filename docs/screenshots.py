"""Take the README's screenshots of a report folder (after `make demo`) with Debian's Chromium.

    .venv/bin/python docs/screenshots.py demo-out
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Each shot: the page, and where it is cut (a height in px, or the bottom of the first element
# a CSS selector finds; None: the whole page).
SHOTS: dict[str, tuple[str, int | str | None]] = {
    "index.png": ("index.html", None),
    "rep.png": ("reps/bob.html", 1500),
    "call.png": ("call-pages/bob__2026-10-09-umbrella-pitch.html", None),
    "rep-connection.png": ("reps/carol.html", 1100),
    "call-connection.png": ("call-pages/carol__2026-10-03-hooli-discovery.html", None),
    "rep-closing.png": ("reps/alice.html", "div.cards"),
    "call-closing.png": ("call-pages/alice__2026-10-13-acme-pilot.html", "section.panel >> nth=1"),
}


def cut_at(page: Page, until: int | str | None) -> int | None:
    """The height the shot is cut at: a number of px, or the bottom of an element (16 px
    below it)."""
    if until is None or isinstance(until, int):
        return until
    box = page.locator(until).first.bounding_box()
    if box is None:
        raise SystemExit(f"{page.url}: nothing matches {until!r}")
    return math.ceil(box["y"] + box["height"]) + 16


def main(report: Path, docs: Path = Path(__file__).parent) -> None:
    """One PNG per shot, 1280 px wide."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, (path, until) in SHOTS.items():
            page.goto((report / path).resolve().as_uri(), wait_until="load")
            height = cut_at(page, until)
            clip = {"x": 0, "y": 0, "width": 1280, "height": height} if height else None
            page.screenshot(path=str(docs / name), full_page=True, clip=clip)
            print(f"{docs / name}: {(docs / name).stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
