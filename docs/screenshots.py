"""Take the screenshots of docs/adding-a-paper.md: the steps of adding a paper in the browser,
on a fresh store with the bundled corpus, driven by headless Chromium (Playwright).

    python docs/screenshots.py        # writes docs/images/add-*.png

Needs Chromium (apt-get install chromium) and Playwright (pip install playwright), as the
browser tests do.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

import waitress
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from urbankg.graph import KnowledgeGraph  # noqa: E402
from urbankg.server.app import create_app  # noqa: E402
from urbankg.server.services import services  # noqa: E402
from urbankg.server.settings import Settings  # noqa: E402

IMAGES = ROOT / "docs" / "images"
DATA = ROOT / "tests" / "data" / "add"
TOKEN = "screenshots-token-0123456789abcdef"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("needs Chromium: apt-get install chromium")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        kg = KnowledgeGraph.open(Path(tmp) / "store")
        kg.ensure_bundled()
        app = create_app(kg, Settings(token=TOKEN, workers=1))
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
        threading.Thread(target=server.run, daemon=True).start()
        try:
            shoot(chromium, url)
        finally:
            server.close()
            services(app).close()
            kg.close()


def shoot(chromium: str, url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(url + "/papers/new")
        page.set_input_files("input[name=paper]", str(DATA / "paper.txt"))
        page.set_input_files("input[name=metadata]", str(DATA / "zhou-2018.bib"))
        page.fill("input[name=token]", TOKEN)
        save(page, "add-1-upload.png")
        page.click("button:text('Draft the annotation')")
        page.wait_for_selector("#review", timeout=120000)
        save(page, "add-2-drafted.png")
        page.click("#review")
        record = page.locator("textarea[name='zhou-2018-geography.yaml']")
        text = record.input_value()
        record.fill(text.replace("year: 2018", "year: 1700"))
        page.fill("input[name=token]", TOKEN)
        page.click("button:text('Save and load')")
        page.wait_for_selector("ul.problems")
        page.locator("ul.problems").scroll_into_view_if_needed()
        page.mouse.wheel(0, -250)
        save(page, "add-3-problem.png")
        page.locator("textarea[name='zhou-2018-geography.yaml']").fill(text)
        page.fill("input[name=token]", TOKEN)
        page.click("button:text('Save and load')")
        page.wait_for_selector("#loaded")
        save(page, "add-4-loaded.png")
        page.click("#loaded")
        save(page, "add-5-paper.png")
        browser.close()


def save(page, name: str) -> None:
    page.screenshot(path=str(IMAGES / name), full_page=False)
    print(f"-> {IMAGES / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
