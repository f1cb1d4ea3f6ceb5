"""`make slides` decks render offline: open one from disk with every network request blocked."""

import pathlib
import subprocess
import sys

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
