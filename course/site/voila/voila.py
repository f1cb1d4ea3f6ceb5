"""Voila configuration for ``make explore`` (``voila notebooks --Voila.config_file_paths=course/site/voila``).

The landing page lists the notebooks by title, in course order, instead of by file name: the ``course`` template
(``voila/templates/course/tree.html`` beside this file, on top of Voila's ``lab`` template) draws the list, and
``add_titles`` gives it each notebook's title and course position.
"""

import os
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # course/site: build_site.title and course_order, as the website uses them
import build_site  # noqa: E402
import nbformat  # noqa: E402

# Voila finds templates in the Jupyter data folders; this folder is one of them while `make explore` runs.
os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("JUPYTER_PATH")]))


def plain(markdown):
    """A heading's text without markdown's `code` and *emphasis* marks."""
    return re.sub(r"[`*]", "", markdown)


def add_titles(page_config, notebook_path="", settings=None, **kwargs):
    """On a folder's landing page, add ``courseApps``: ``[{"path", "title"}]`` for its notebooks in course order."""
    root = pathlib.Path(settings["contents_manager"].root_dir)
    folder = root / (notebook_path or "")
    if folder.is_dir():
        paths = build_site.course_order(sorted(folder.glob("*.ipynb")))
        page_config["courseApps"] = [
            {"path": p.relative_to(root).as_posix(), "title": plain(build_site.title(nbformat.read(p, as_version=4)))
             or p.stem}
            for p in paths
        ]
    return page_config


c = get_config()  # noqa: F821 (traitlets provides get_config in a config file)
c.VoilaConfiguration.template = "course"
c.VoilaConfiguration.classic_tree = True  # the server-side list (Jinja), which the template can title
c.VoilaConfiguration.show_tracebacks = True
c.VoilaConfiguration.page_config_hook = add_titles
