"""The sample paper of the review's browser test and of docs/screenshots.py: its PDF, and a
selection of its words made as a reader's mouse would make it (one copy for both)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data" / "review"
TEXT = DATA / "county-shops.txt"  # written for the tests: it reports no real study
RECORD = DATA / "county-shops.ris"
CLAIM = "E-commerce turns the county town into the node that links village workshops to national markets."

# Selects `words` in the paper's text as a reader's mouse would, and lets the page hear it.
SELECT = """([words]) => {
  const text = document.getElementById('paper-text');
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    text.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    return true;
  }
  return false;
}"""


def make_pdf(out: Path) -> Path:
    """The sample paper as a PDF (fpdf2), its reference list on a page of its own."""
    import fpdf

    pdf = fpdf.FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for paragraph in TEXT.read_text(encoding="utf-8").split("\n\n"):
        if paragraph.startswith("References"):
            pdf.add_page()
        for line in paragraph.splitlines():
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(out))
    return out
