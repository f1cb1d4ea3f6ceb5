"""The Chinese edition of the course site (``site/zh/``, built by ``make site`` with the English one).

A Chinese page opens with its language switch (to the same page in English and back), Chinese search finds the page
of a Chinese term offline (the index is cut into words by jieba with the course's terms), and no page of the Chinese
site asks the network.
"""

import re

import pytest

from conftest import ARTIFACTS, ROOT
from test_site import NOTEBOOKS, assert_stayed_local, open_page

ZH_NOTEBOOKS = ROOT / "notebooks" / "zh"


def switch_is_on_top(page):
    """The language switch is drawn where a reader can click it: the element at its centre is the switch itself."""
    box = page.locator(".course-language-switch a").first.bounding_box()
    return box is not None and page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.course-language-switch')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])


def test_every_page_links_the_same_page_in_the_other_language(built_site):
    zh = built_site / "zh"
    pages = [p for p in zh.rglob("*.html") if p.parts[len(zh.parts)] in ("index.html", "notebooks", "course")]
    assert len(pages) >= len(NOTEBOOKS) + 5
    for page in pages:
        twin = built_site / page.relative_to(zh)
        for path, other in ((page, twin), (twin, page)):
            found = re.findall(r'class="course-language-switch">\s*<a [^>]*href="([^"]+)"', path.read_text())
            assert found, f"{path.relative_to(built_site)}: no language switch"
            assert (path.parent / found[0]).resolve() == other.resolve(), f"{path.relative_to(built_site)}: {found}"


def test_the_chinese_landing_page_lists_every_notebook(browser, built_site, request_log):
    page, log, errors = open_page(browser, (built_site / "zh" / "index.html").as_uri(), request_log)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_zh_landing.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "计算机视觉面试笔记本" in page.locator("h1").first.inner_text()
    targets = [a.split("/")[-1] for a in page.locator("article table a").evaluate_all("as => as.map(a => a.href)")]
    assert sorted(targets) == sorted(p.stem + ".html" for p in NOTEBOOKS)
    assert page.locator(".course-language-switch a", has_text="English").count() == 1
    assert switch_is_on_top(page), "the language switch is hidden (under the top bar?)"
    assert_stayed_local(log, "the Chinese landing page")
    assert errors == [], errors


def test_a_chinese_notebook_page_switches_to_english_and_back(browser, built_site, request_log):
    translated = sorted(p.stem for p in ZH_NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    stem = "02_nms" if "02_nms" in translated else translated[0]
    page, log, errors = open_page(browser, (built_site / "zh" / "notebooks" / f"{stem}.html").as_uri(), request_log)
    assert re.search(r"[\u4e00-\u9fff]", page.locator("article h1").first.inner_text()), "the title is not Chinese"
    answers = page.locator("article details summary", has_text="答案")
    assert answers.count() >= 3, "interview answers folded under 答案"
    answers.first.click()
    page.screenshot(path=str(ARTIFACTS / "site_zh_notebook.png"))
    assert switch_is_on_top(page)
    page.locator(".course-language-switch a", has_text="English").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/site/notebooks/{stem}.html"), page.url
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".course-language-switch a", has_text="中文").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/site/zh/notebooks/{stem}.html"), page.url
    assert_stayed_local(log, f"zh/notebooks/{stem}")
    assert errors == [], errors


@pytest.mark.parametrize("term, stem", [("非极大值抑制", "02_nms"), ("交并比", "01_iou")])
@pytest.mark.parametrize("host", ["file", "static-server"])
def test_chinese_search_finds_the_page_of_a_term_offline(browser, built_site, request_log, host, term, stem, request):
    base = built_site.as_uri() if host == "file" else request.getfixturevalue("site_server").base
    page, log, errors = open_page(browser, f"{base}/zh/search.html?q={term}", request_log)
    page.locator("#search-results ul.search li").first.wait_for(timeout=30_000)
    page.wait_for_function("document.querySelector('#search-results').innerText.includes('搜索完成')"
                           " || document.querySelector('#search-results').innerText.includes('Search finished')",
                           timeout=30_000)
    links = page.locator("#search-results ul.search li a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    page.screenshot(path=str(ARTIFACTS / f"site_zh_search_{stem}_{host}.png"))
    assert any(h.split("#")[0].endswith(f"notebooks/{stem}.html") for h in hrefs), hrefs
    assert all("/zh/" in links.nth(i).evaluate("a => a.href") for i in range(links.count())), "results stay Chinese"
    assert_stayed_local(log, f"Chinese search ({host})")
    assert errors == [], errors


def test_no_page_of_the_chinese_site_asks_the_network(browser, built_site, request_log):
    zh = built_site / "zh"
    pages = [zh / "index.html", *sorted((zh / "notebooks").glob("*.html")), *sorted((zh / "course").glob("*.html")),
             zh / "search.html"]
    for path in pages:
        page, log, errors = open_page(browser, path.as_uri(), request_log)
        page.wait_for_timeout(300)  # late loads: fonts, widget images, MathJax's pieces
        assert_stayed_local(log, f"zh/{path.name}")
        assert errors == [], f"zh/{path.name}: {errors}"
        page.close()
