"""``make explore``: Voila's landing page lists every notebook, and every notebook renders as an app.

Voila executes each notebook on request, so this is also a check that every notebook runs as an app (cwd, widgets,
no traceback). The landing page is drawn by script, so it is read in the browser; the apps are fetched over HTTP
(the widgets themselves are driven in a browser by ``test_iou_widget.py``).
"""

import urllib.request

import pytest

from conftest import ARTIFACTS, ROOT

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def fetch(url):
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.status, response.read().decode("utf-8", "replace")


def test_landing_page_lists_every_notebook(explore_server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(explore_server.base + "/", wait_until="domcontentloaded")
    items = page.locator(".jp-DirListing-itemText")  # the file list is drawn by script, JupyterLab-style
    items.filter(has_text=NOTEBOOKS[-1]).first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "explore_landing.png"), full_page=True)
    listed = [text.strip() for text in items.all_inner_texts()]
    missing = [name for name in NOTEBOOKS if name not in listed]
    assert not missing, f"not on the landing page: {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_renders_as_an_app(explore_server, name):
    status, html = fetch(f"{explore_server.base}/voila/render/{name}")
    assert status == 200
    assert "jupyter-widgets" in html or "application/vnd.jupyter.widget-view+json" in html, f"{name}: no widget"
    for marker in ("Traceback (most recent call last)", "There was an error when executing cell"):
        assert marker not in html, f"{name}: {marker!r} in the rendered app (see artifacts/browser/explore.log)"
