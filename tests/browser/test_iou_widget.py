"""A person's view of the IoU widget: open the notebook in a real browser, move a slider, see IoU change.

Run with ``make test-browser``; screenshots go to ``artifacts/browser/``.
"""

import re

from conftest import ARTIFACTS


def readout(page, label):
    """The number shown in the widget's read-out table for ``label`` (e.g. "IoU")."""
    cell = page.locator(f"table tr:has(td:text-is('{label}')) code").first
    # textContent, not innerText: JupyterLab skips rendering cells out of view (content-visibility), and the
    # read-out table of a tall widget can sit below the fold, where innerText is ''.
    return float(cell.text_content())


def move_first_slider(page, fraction):
    """Click the first slider's track at ``fraction`` of its width (the handle jumps there)."""
    track = page.locator(".widget-slider .slider-container .noUi-target, .widget-slider .ui-slider").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


def check_slider_changes_iou(page, name):
    page.locator("table tr:has(td:text-is('IoU'))").first.wait_for(timeout=60_000)
    before = readout(page, "IoU")
    page.locator(".widget-slider").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}_before.png"))
    move_first_slider(page, 0.05)  # centre x near 0: the prediction leaves the ground truth
    page.wait_for_function(
        "before => { const c = [...document.querySelectorAll('table tr')].find(r => r.cells[0] && r.cells[0].textContent === 'IoU');"
        " return c && parseFloat(c.cells[1].textContent) !== before; }",
        arg=before, timeout=120_000,
    )
    after = readout(page, "IoU")
    page.screenshot(path=str(ARTIFACTS / f"{name}_after.png"))
    assert after != before, (before, after)
    assert after == 0.0  # centre x = 5 px puts the 40 px wide prediction beside the ground truth (x >= 30)
    return before, after


def test_voila_serves_the_iou_widget_and_it_reacts(voila_server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(voila_server.base + "/", wait_until="domcontentloaded")
    before, after = check_slider_changes_iou(page, "voila")
    print(f"voila: IoU {before} -> {after}")


def test_jupyterlab_runs_the_notebook_and_the_slider_moves_iou(lab_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab_server.base}/lab/tree/01_iou.ipynb?token={lab_server.token}", wait_until="domcontentloaded")
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Toolbar-kernelStatus").first.wait_for(timeout=60_000)
    # Run > Run All Cells, through the menu as a person would.
    page.get_by_role("menuitem", name=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    widget = page.locator(".jp-OutputArea-output .widget-slider").first
    # "attached", not "visible": Run All scrolls to the last cell, and JupyterLab hides cells out of view.
    widget.wait_for(state="attached", timeout=120_000)
    # Let "Run All" finish: a slider move is only answered once the kernel is free.
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=120_000)
    widget.scroll_into_view_if_needed()
    before, after = check_slider_changes_iou(page, "jupyterlab")
    print(f"jupyterlab: IoU {before} -> {after}")


def test_rise_presents_the_notebook_as_slides_in_jupyterlab(lab_server, browser):
    """Lecture mode: the jupyterlab-rise extension serves the notebook as a live reveal.js slideshow."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{lab_server.base}/rise/01_iou.ipynb?token={lab_server.token}", wait_until="domcontentloaded")
    page.locator(".reveal .slides > section").nth(4).wait_for(state="attached", timeout=90_000)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(ARTIFACTS / "rise.png"))
    assert page.locator(".reveal .slides > section").count() >= 5
