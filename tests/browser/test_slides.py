"""`make slides` decks render offline (every network request blocked) and every slide fits a 1280x800 screen."""

import re
import subprocess
import sys

import pytest

from conftest import ARTIFACTS, ROOT


def test_iou_deck_renders_offline_with_live_widget_state(browser, tmp_path):
    subprocess.run([sys.executable, "course/slides.py", "notebooks/01_iou.ipynb", "--out", str(tmp_path)],
                   cwd=ROOT, check=True)
    deck = tmp_path / "01_iou.slides.html"
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    outside = []
    page.route(lambda url: not url.startswith("file:"), lambda route: (outside.append(route.request.url), route.abort()))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(deck.as_uri())
    page.locator(".reveal.ready").wait_for(state="attached", timeout=30_000)  # reveal.js loaded and laid out
    page.wait_for_function("window.MathJax && MathJax.isReady", timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "slides_title.png"))
    slides = page.locator(".reveal .slides > section").count()
    assert slides >= 5, slides  # one per level-2 heading; sub-slides nest inside
    # The widget renderer turns the saved widget state into real controls, offline.
    page.locator(".widget-slider").first.wait_for(state="attached", timeout=30_000)
    # The innermost section on screen: a slide without sub-slides, or the current sub-slide.
    slider = page.locator("section.present:not(:has(section)) .widget-slider").first
    for _ in range(200):  # step forward like a presenter (space: next slide or sub-slide) until it is on screen
        if slider.count():
            break
        page.keyboard.press("Space")
        page.wait_for_timeout(150)
    page.wait_for_timeout(800)  # let the slide transition finish
    assert slider.count(), "no slide shows the widget"
    slider.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "slides_widget.png"))
    assert outside == [], f"the deck asked the network for {outside}"
    assert errors == [], errors


# Every slide of a deck on a 1280x800 screen: go to each slide (and sub-slide) with reveal.js's own API, then
# measure its content against the canvas (reveal.js scales the 1280x800 canvas to the window).
MEASURE = """async () => {
  const Reveal = await new Promise(resolve => require(['assets/reveal.js/dist/reveal.js'], resolve));
  Reveal.configure({transition: 'none', backgroundTransition: 'none'});
  const {width, height} = Reveal.getConfig();
  const slides = [];
  const columns = document.querySelectorAll('.reveal .slides > section');
  for (let h = 0; h < columns.length; h++) {
    const rows = Math.max(1, columns[h].querySelectorAll(':scope > section').length);
    for (let v = 0; v < rows; v++) {
      Reveal.slide(h, v);
      await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 30)));
      const slide = Reveal.getCurrentSlide();
      const box = slide.getBoundingClientRect();
      const text = (slide.querySelector('h1, h2, h3, h4') || slide).innerText.trim().slice(0, 60);
      slides.push({h, v, text, height: slide.scrollHeight, width: slide.scrollWidth, canvas: [width, height],
                   top: box.top, bottom: box.bottom, screen: [innerWidth, innerHeight]});
    }
  }
  return slides;
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("decks")
    subprocess.run([sys.executable, "course/slides.py", *[f"notebooks/{name}.ipynb" for name in DECKS], "--out",
                    str(out)], cwd=ROOT, check=True)
    return out


DECKS = ["01_iou", "08_residual_blocks", "18_gan_minmax", "12_vit"]


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_fits_a_1280x800_screen(browser, decks, name):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    outside = []
    page.route(lambda url: not url.startswith(("file:", "data:", "blob:")),
               lambda route: (outside.append(route.request.url), route.abort()))
    page.goto((decks / f"{name}.slides.html").as_uri())
    page.locator(".reveal.ready").wait_for(state="attached", timeout=30_000)
    page.wait_for_function("window.MathJax && MathJax.isReady", timeout=30_000)
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=30_000)
    page.wait_for_timeout(1000)  # the widget manager draws the saved widgets
    slides = page.evaluate(MEASURE)
    too_tall = [s for s in slides if s["height"] > s["canvas"][1] or s["top"] < 0 or s["bottom"] > s["screen"][1]]
    too_wide = [s for s in slides if s["width"] > s["canvas"][0] + 1]
    worst = max(slides, key=lambda s: s["height"])
    print(f"{name}: {len(slides)} slides, tallest {worst['height']} px of {worst['canvas'][1]} ({worst['text']!r}),"
          f" {len(too_tall)} too tall, {len(too_wide)} too wide")
    assert not too_tall, [(s["h"], s["v"], s["height"], s["text"]) for s in too_tall]
    assert not too_wide, [(s["h"], s["v"], s["width"], s["text"]) for s in too_wide]
    assert outside == []


def test_decks_show_the_lecture_path_without_test_plumbing(decks):
    """No `# NBVAL_...` line, nothing from `## Going deeper` on, no widget-check cell."""
    import nbformat

    for name in DECKS:
        html = (decks / f"{name}.slides.html").read_text(encoding="utf-8")
        assert "NBVAL_" not in html, name
        assert not re.search(r"<h2[^>]*>Going deeper", html), f"{name}: the deck goes past '## Going deeper'"
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if "widget-check" in cell.metadata.get("tags", []):
                assert f'id="{cell.id}"' not in html and "celltag_widget-check" not in html, name
