"""``make site``: the course as a static website, opened in Chromium from disk (``file://``) and from a static host.

The site is built by ``make site`` (``make test-browser`` runs it first; the ``built_site`` fixture builds it if it
is missing). Every test records the page's requests: nothing may leave the machine.
"""

import importlib.util
import re

import nbformat
import pytest

from conftest import ARTIFACTS, ROOT

spec = importlib.util.spec_from_file_location("build_site", ROOT / "course" / "site" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# the title as a reader sees it: the heading's text without markdown's `code` and *emphasis* marks
TITLES = {p.stem: re.sub(r"[`*]", "", build_site.title(nbformat.read(p, as_version=4))) for p in NOTEBOOKS}
LOCAL = ("file://", "http://127.0.0.1:")
INLINE = ("data:", "blob:")  # content the page already holds (embedded images, widget images): never a request out


def plain(text):
    """Text as in the notebook: Sphinx sets typographic quotes (’) where the notebook has straight ones (')."""
    return text.strip().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def open_page(browser, url, request_log, width=1280, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    log = request_log(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    return page, log, errors


def assert_stayed_local(log, where):
    assert log.outside == [], f"{where} asked another host for {log.outside}"
    away = [u for u in log.urls if not u.startswith(LOCAL + INLINE)]
    assert away == [], f"{where}: requests that are neither file:// nor 127.0.0.1: {away}"


def test_landing_page_lists_every_notebook_by_title_in_course_order(browser, built_site, request_log):
    page, log, errors = open_page(browser, (built_site / "index.html").as_uri(), request_log)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_landing.png"), full_page=True)
    links = page.locator("article table a")
    listed = [plain(text) for text in links.all_inner_texts()]
    targets = [href.split("/")[-1] for href in (links.nth(i).get_attribute("href") for i in range(links.count()))]
    assert sorted(listed) == sorted(TITLES.values()), "the topic table must name every notebook by its title"
    expected = [p.stem + ".html" for p in build_site.course_order(NOTEBOOKS)]
    assert targets == expected, "topics in course order (the syllabus's lecture plan)"
    # the navigation lists them in the same order, with previous/next links on the pages
    nav = [plain(t) for t in page.locator("nav.bd-docs-nav a").all_inner_texts()]
    assert [t for t in nav if t in TITLES.values()] == listed
    assert_stayed_local(log, "the landing page")
    assert errors == [], errors


def test_a_notebook_page_shows_its_figures_math_folded_answers_and_widget(browser, built_site, request_log):
    page, log, errors = open_page(browser, (built_site / "notebooks" / "01_iou.html").as_uri(), request_log)
    # the saved widget state, drawn by the local widget manager: sliders and the widget's own image
    page.locator(".widget-slider").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=30_000)
    images = page.evaluate("[...document.querySelectorAll('article img')].map(i => [i.src, i.naturalWidth])")
    figures = [i for i in images if "/_images/" in i[0]]
    assert len(figures) >= 3, images
    assert all(width > 0 for _, width in images), f"images that did not load: {images}"
    assert page.locator("article details").count() >= 3, "interview answers folded in <details>"
    assert page.locator(".widget-slider").count() >= 1
    page.locator(".widget-slider").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "site_iou_widget.png"))
    # previous / next links
    assert page.locator(".prev-next-area a").count() >= 1
    assert_stayed_local(log, "the IoU page")
    assert errors == [], errors


def test_math_is_rendered_by_the_local_mathjax(browser, built_site, request_log):
    pages = [p for p in sorted((built_site / "notebooks").glob("*.html")) if 'class="math' in p.read_text()]
    assert pages, "no page with maths: nothing to check"
    page, log, errors = open_page(browser, pages[0].as_uri(), request_log)
    page.wait_for_function("window.MathJax && MathJax.isReady && document.querySelector('.MathJax_CHTML')",
                           timeout=30_000)
    assert_stayed_local(log, pages[0].name)


def test_no_test_plumbing_on_the_site(built_site):
    """nbval's markers are cell tags; any `# NBVAL_...` line left in a notebook is removed from the site's copy."""
    leaked = [p.name for p in (built_site / "notebooks").glob("*.html") if "NBVAL_" in p.read_text()]
    assert leaked == []


def test_widget_check_cells_are_folded(built_site):
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        checks = [c for c in nb.cells if "widget-check" in c.metadata.get("tags", [])]
        if checks:
            html = (built_site / "notebooks" / f"{path.stem}.html").read_text()
            assert html.count("tag_widget-check") == len(checks), path.name
            folded = re.findall(r"tag_widget-check[^>]*>\s*<details class=\"[^\"]*\bhide\b", html)
            assert len(folded) == len(checks), f"{path.name}: widget-check cells not folded"


@pytest.mark.parametrize("host", ["file", "static-server"])
def test_search_for_iou_finds_the_iou_page_offline(browser, built_site, request_log, host, request):
    base = built_site.as_uri() if host == "file" else request.getfixturevalue("site_server").base
    page, log, errors = open_page(browser, f"{base}/search.html?q=IoU", request_log)
    page.locator("#search-results ul.search li").first.wait_for(timeout=30_000)
    page.wait_for_function("document.querySelector('#search-results').innerText.includes('Search finished')",
                           timeout=30_000)
    hrefs = [page.locator("#search-results ul.search li a").nth(i).get_attribute("href")
             for i in range(page.locator("#search-results ul.search li a").count())]
    page.screenshot(path=str(ARTIFACTS / f"site_search_{host}.png"))
    assert any(h.split("#")[0].endswith("notebooks/01_iou.html") for h in hrefs), hrefs
    assert_stayed_local(log, f"search ({host})")
    assert errors == [], errors


def test_no_page_of_the_site_asks_the_network(browser, built_site, request_log):
    """Open every page of the site (landing, notebooks, course pages, search) and record every request."""
    pages = [built_site / "index.html", *sorted((built_site / "notebooks").glob("*.html")),
             *sorted((built_site / "course").glob("*.html")), built_site / "search.html"]
    seen = 0
    for path in pages:
        page, log, errors = open_page(browser, path.as_uri(), request_log)
        page.wait_for_timeout(300)  # late loads: fonts, widget images, MathJax's pieces
        assert_stayed_local(log, path.name)
        assert errors == [], f"{path.name}: {errors}"
        seen += len(log.urls)
        page.close()
    print(f"{len(pages)} pages, {seen} requests, all file:// (or inline data)")
