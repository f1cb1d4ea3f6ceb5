"""Sphinx configuration of the course website (``make site``; the build is driven by ``build_site.py``).

Sphinx + MyST-NB + sphinx-book-theme render the notebooks from their stored outputs (never executed here). Every
script, style sheet, font and the math renderer is served from the site itself: Sphinx's MathJax default, MyST-NB's
widget manager and require.js all point at CDNs, so each is redirected below to the local copies that
``course/slides.py`` fetches once from the npm registry.

``build_site.py`` sets these environment variables: SITE_LANGUAGE (``en``, ``zh``), SITE_LANGUAGES (JSON list of
``[code, label, path from the English root]`` for the language switch), SITE_ASSETS (the folder with the local
JavaScript packages) and, for Chinese, SITE_SEARCH_DICT (a jieba user dictionary of the course's terms).
"""

import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # anchors.py

SITE_LANGUAGE = os.environ.get("SITE_LANGUAGE", "en")
SITE_LANGUAGES = json.loads(os.environ.get("SITE_LANGUAGES", "[]"))
ASSETS = os.environ.get("SITE_ASSETS")

project = "Computer-vision interview notebooks"
author = "The course authors"
copyright = "the course authors, MIT licence"
# Sphinx's language decides the search stemmer and splitter too ("zh_CN" splits Chinese text for the index).
language = {"zh": "zh_CN"}.get(SITE_LANGUAGE, SITE_LANGUAGE)

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# --- notebooks: stored outputs only -------------------------------------------------------------------------------
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
# Anchors for headings down to ####, named as JupyterLab names them, so "(#3.-Proof:-...)" links keep working.
myst_heading_anchors = 4
myst_heading_slug_func = "anchors.jupyterlab_anchor"

# --- offline: local MathJax 2 (the same copy as the slides) instead of Sphinx's CDN default -----------------------
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# MyST-NB marks notebook pages "tex2jax_ignore" (so a "$" in an output is not maths); the math it parsed carries the
# class "math", which MathJax 2 must process anyway (MathJax 3's processHtmlClass, in MathJax 2 terms).
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processClass": "tex2jax_process|mathjax_process|math|output_area",
                "processRefs": False, "processEnvironments": False},
    "messageStyle": "none",
}
# --- offline: the widget manager and require.js from the site, and no CDN fallback for unknown widget modules -----
# The manager finds its icon fonts next to its own module URL, and would fetch a widget module it lacks from
# "data-jupyter-widgets-cdn": both point at the site's _static/ as seen from a notebook page (every notebook page is
# one folder down, in notebooks/).
nb_ipywidgets_js = {
    "requirejs/require.js": {},
    "": {"body": "require.config({baseUrl: '../_static/'});"},
    "@jupyter-widgets/html-manager/dist/embed-amd.js": {"data-jupyter-widgets-cdn": "../_static/"},
}

# --- theme --------------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = {"zh": "计算机视觉面试笔记本"}.get(SITE_LANGUAGE, "Computer-vision interview notebooks")
html_static_path = ["_static"] + ([ASSETS] if ASSETS else [])
html_css_files = ["course.css"]
templates_path = ["_templates"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
# Result snippets are fetched page by page, which a browser refuses from file:// (and logs as errors): titles only.
html_show_search_summary = False
# Chinese search: Sphinx's zh indexer cuts text into words with jieba; build_site.py passes a user dictionary of the
# course's terms so that 交并比 or 非极大值抑制 is one word of the index, as a reader types it.
if os.environ.get("SITE_SEARCH_DICT"):
    html_search_options = {"dict": os.environ["SITE_SEARCH_DICT"]}
html_context = {"site_language": SITE_LANGUAGE, "site_languages": SITE_LANGUAGES, "default_mode": "light"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": True,
    "article_header_end": ["language-switch", "article-header-buttons"],
    # No remote calls from the theme: no version switcher JSON, no analytics, no icon links.
    "icon_links": [],
    "analytics": {},
}


def setup(app):
    # Sphinx 9.0 names the search page's JavaScript stemmer after the language ("window.Stemmer = ChineseStemmer"),
    # but the Chinese indexer ships the English stemmer: every Chinese search then fails with "ChineseStemmer is not
    # defined" (sphinx-doc/sphinx#14229, fixed upstream by #14416, which names the class after the stemmer file). The
    # same indexer, named after the stemmer it uses, gives the fixed line on any Sphinx.
    from sphinx.search.zh import SearchChinese

    class SearchChineseWithItsStemmer(SearchChinese):
        language_name = "English"

    app.add_search_language(SearchChineseWithItsStemmer)
