"""``make explore``: Voila's landing page lists every notebook by title, and every notebook renders as an app.

Voila executes each notebook on request, so this is also a check that every notebook runs as an app (cwd, widgets,
no traceback). The landing page (the course's tree template) is read in the browser; the apps are fetched over HTTP
(the widgets themselves are driven in a browser by ``test_iou_widget.py``).
"""

import importlib.util
import re
import urllib.request

import nbformat
import pytest

from conftest import ARTIFACTS, ROOT

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
spec = importlib.util.spec_from_file_location("build_site", ROOT / "course" / "site" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)
TITLES = {name: re.sub(r"[`*]", "", build_site.title(nbformat.read(ROOT / "notebooks" / name, as_version=4)))
          for name in NOTEBOOKS}


def fetch(url):
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.status, response.read().decode("utf-8", "replace")


def test_landing_page_lists_every_notebook_by_title(explore_server, browser):
    """The landing page names the notebooks by title (in course order), not by file name, and links each app."""
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(explore_server.base + "/", wait_until="domcontentloaded")
    apps = page.locator("a.course-app")
    apps.first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "explore_landing.png"), full_page=True)
    shown = [t.strip() for t in page.locator("a.course-app .title").all_inner_texts()]
    links = [apps.nth(i).get_attribute("href").split("?")[0].rsplit("/", 1)[-1] for i in range(apps.count())]
    assert sorted(links) == NOTEBOOKS, "every notebook is linked"
    assert shown == [TITLES[name] for name in links], "each link shows its notebook's title"
    assert not any(name in page.locator("main").inner_text() for name in NOTEBOOKS), "no file names on the page"
    assert links == [p.name for p in build_site.course_order([ROOT / "notebooks" / n for n in NOTEBOOKS])]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_renders_as_an_app(explore_server, name):
    status, html = fetch(f"{explore_server.base}/voila/render/{name}")
    assert status == 200
    assert "jupyter-widgets" in html or "application/vnd.jupyter.widget-view+json" in html, f"{name}: no widget"
    for marker in ("Traceback (most recent call last)", "There was an error when executing cell"):
        assert marker not in html, f"{name}: {marker!r} in the rendered app (see artifacts/browser/explore.log)"
