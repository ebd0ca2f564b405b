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
sys.path.insert(0, str(ROOT / "tests"))  # the sample paper and the selection, as the browser test makes them

from review_paper import CLAIM, RECORD, SELECT, make_pdf  # noqa: E402
from urbankg.graph import KnowledgeGraph  # noqa: E402
from urbankg.server.app import create_app  # noqa: E402
from urbankg.server.services import services  # noqa: E402
from urbankg.server.settings import Settings  # noqa: E402

IMAGES = ROOT / "docs" / "images"

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
        app = create_app(kg, Settings(token=TOKEN, workers=1, annotations=Path(tmp) / "annotations"))
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
        threading.Thread(target=server.run, daemon=True).start()
        try:
            shoot(chromium, url, make_pdf(Path(tmp) / "county-shops.pdf"))
        finally:
            server.close()
            services(app).close()
            kg.close()


def shoot(chromium: str, url: str, pdf: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 820})
        page.goto(url + "/papers/new")
        page.set_input_files("input[name=paper]", str(pdf))
        page.set_input_files("input[name=metadata]", str(RECORD))
        page.fill("input[name=token]", TOKEN)
        save(page, "add-1-upload.png")
        page.click("button:text('Draft the annotation')")
        page.wait_for_selector("#review", timeout=120000)
        save(page, "add-2-drafted.png")
        press(page, "#review")
        save(page, "add-3-overview.png")
        press(page, "nav.review-steps >> text=Citations")
        brenner = page.locator("section.citation", has=page.locator("blockquote.sentence", has_text="planetary"))
        brenner.scroll_into_view_if_needed()
        save(page, "add-4-citations.png")
        press(page, "nav.review-steps >> text=Claims")
        page.evaluate(SELECT, [CLAIM])
        page.select_option("#claim-form select[name=stance]", "supports")
        page.fill("#claim-form input[name=target]", "concept/e-urbanism")
        save(page, "add-5-claim.png")
        press(page, "#add-claim")
        press(page, "nav.review-steps >> text=Facts")
        page.evaluate(SELECT, ["38"])
        page.fill("#fact-form input[name=value]", "130")
        page.select_option("#fact-form select[name=unit]", "percent")
        page.fill("#fact-form input[name=new_measure]", "share of households selling online")
        page.fill("#fact-form input[name=period]", "2019")
        page.fill("#fact-form input[name=place]", "place/china")
        press(page, "#add-fact")
        page.locator("#fact-form .field-error").scroll_into_view_if_needed()
        save(page, "add-6-fact-refused.png")
        page.fill("#fact-form input[name=value]", "38")
        press(page, "#add-fact")
        press(page, "nav.review-steps >> text=Overview")
        press(page, "#load")
        save(page, "add-7-loaded.png")
        press(page, "#loaded")
        save(page, "add-8-paper.png")
        browser.close()


def press(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def save(page, name: str) -> None:
    page.screenshot(path=str(IMAGES / name), full_page=False)
    print(f"-> {IMAGES / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
