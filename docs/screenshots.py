"""Take the README's screenshots of a report folder (after `make demo`) with Debian's Chromium.

    .venv/bin/python docs/screenshots.py demo-out
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = {"index.png": ("index.html", None),
         "rep.png": ("reps/bob.html", 1500),
         "call.png": ("call-pages/bob__2026-10-09-umbrella-pitch.html", None),
         "rep-connection.png": ("reps/carol.html", 1100),
         "call-connection.png": ("call-pages/carol__2026-10-03-hooli-discovery.html", None)}


def main(report: Path, docs: Path = Path(__file__).parent) -> None:
    """One PNG per page kind, 1280 px wide (the rep page cut at 1500 px)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, (path, height) in SHOTS.items():
            page.goto((report / path).resolve().as_uri(), wait_until="load")
            clip = {"x": 0, "y": 0, "width": 1280, "height": height} if height else None
            page.screenshot(path=str(docs / name), full_page=True, clip=clip)
            print(f"{docs / name}: {(docs / name).stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
