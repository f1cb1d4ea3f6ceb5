"""Export every notebook as a reveal.js slide deck that works offline: ``make slides``.

nbconvert's default decks load reveal.js, require.js, MathJax and the widget renderer from CDNs, so without a
network they render as a broken page. Here those assets are copied once into ``course/slides/assets/`` (from the
npm registry, at build time) and every deck points at them with relative paths; open
``course/slides/index.html`` from disk, no server and no network needed.

A deck is made from a copy of the notebook, cut for a 1280x800 screen by ``course/slide_metadata.py``: the lecture
path only (from ``## Going deeper`` on is skipped, and so are ``widget-check`` cells), no ``# NBVAL_...`` marker
lines, cells taller than a screen cut into pieces, and the slide types chosen so no slide needs scrolling.

    python course/slides.py                 # all notebooks
    python course/slides.py notebooks/01_iou.ipynb --out /tmp/decks
"""

import argparse
import html
import importlib.util
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

import nbformat
from nbconvert import SlidesExporter

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "course" / "slides"

# npm package -> (files to keep inside the package, folder under assets/)
ASSETS = {
    "reveal.js@4.0.2": (("dist/", "plugin/"), "reveal.js"),
    "requirejs@2.3.6": (("require.js",), "requirejs"),
    "jquery@2.2.4": (("dist/jquery.min.js",), "jquery"),
    "@jupyter-widgets/html-manager@1.0.11": (("dist/",), "html-manager"),
    "mathjax@2.7.7": (("MathJax.js", "config/", "extensions/", "jax/input/TeX/", "jax/output/CommonHTML/",
                       "jax/element/", "localization/en/", "fonts/HTML-CSS/TeX/woff/"), "mathjax"),
}
URLS = {
    "reveal_url_prefix": "assets/reveal.js",
    "require_js_url": "assets/requirejs/require.js",
    "mathjax_url": "assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "widget_renderer_url": "assets/html-manager/dist/embed-amd.js",
    "jquery_url": "assets/jquery/dist/jquery.min.js",
    # The template always imports mermaid; no notebook here has a mermaid diagram, so a local no-op stands in.
    "mermaid_js_url": "./assets/mermaid-stub.mjs",
}


def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build_module():
    return _module("course_build", ROOT / "course" / "build.py")


# The deck's layout, for a 1280x800 screen; course/slide_metadata.py estimates heights with these sizes.
DECK_CSS = """
:root {
    --jp-ui-font-size1: 20px;
    --jp-content-font-size1: 20px;
    --jp-code-font-size: 15px;
    --jp-cell-prompt-width: 0px;
}
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
.jp-RenderedHTMLCommon { line-height: 1.5; }
.reveal .slides { text-align: left; }
.reveal .slides section { padding: 0; }
/* figures: scaled to the slide's width, and never taller than FIGURE_MAX_HEIGHT */
.reveal .jp-RenderedImage img, .reveal .jp-RenderedHTMLCommon img, .reveal .widget-image {
    max-width: 100%; max-height: 520px; width: auto; height: auto; object-fit: contain;
}
/* a piece of a cell that was cut across slides: its outputs only */
.celltag_slide-continued .jp-InputArea { display: none; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
"""


def fetch_assets(assets_dir):
    """Copy the four JavaScript packages into ``assets_dir`` (skipped if already there)."""
    if (assets_dir / ".complete").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("make slides needs npm once, to fetch reveal.js, require.js, MathJax and the widget renderer")
    assets_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package, (keep, folder) in ASSETS.items():
            name = subprocess.run([npm, "pack", "--silent", package], cwd=tmp, check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
            with tarfile.open(pathlib.Path(tmp) / name) as archive:
                for member in archive.getmembers():
                    inner = member.name.split("/", 1)[1] if "/" in member.name else member.name
                    if member.isfile() and inner.startswith(keep):
                        target = assets_dir / folder / inner
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.extractfile(member).read())
    (assets_dir / "mermaid-stub.mjs").write_text("export default { initialize() {} };\n")
    (assets_dir / ".complete").write_text("\n".join(ASSETS) + "\n")


def deck_notebook(path):
    """The notebook as the deck shows it: the reader's copy (no NBVAL markers), cut and marked for the screen."""
    site = _module("course_site", ROOT / "course" / "site" / "build_site.py")
    metadata = _module("slide_metadata", ROOT / "course" / "slide_metadata.py")
    nb = site.clean_notebook(nbformat.read(path, as_version=4))
    return nbformat.from_dict(metadata.paginate(nb))


def export(path, out_dir, build=None):
    """Write ``out_dir/<name>.slides.html`` for one notebook and return its path."""
    nb = deck_notebook(path)
    exporter = SlidesExporter(reveal_theme="white", reveal_scroll=False, reveal_width="1280", reveal_height="800",
                              **URLS)
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", f"<style>{DECK_CSS}</style>\n</head>", 1)
    target = out_dir / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def write_index(out_dir, decks, build):
    items = "\n".join(
        f'<li><a href="{deck.name}">{html.escape(build.title(build.load(nb)))}</a> <small>({nb.stem})</small></li>'
        for nb, deck in decks
    )
    (out_dir / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Computer-vision interview notebooks: slides</title>"
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.6}</style>"
        f"<h1>Slides</h1><p>Open a deck; press <kbd>?</kbd> for keys, <kbd>s</kbd> for speaker notes.</p><ol>{items}</ol>",
        encoding="utf-8",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args(argv)
    build = _build_module()
    notebooks = args.notebooks or build.notebooks()
    args.out.mkdir(parents=True, exist_ok=True)
    fetch_assets(OUT / "assets")
    if args.out.resolve() != OUT.resolve():
        shutil.copytree(OUT / "assets", args.out / "assets", dirs_exist_ok=True)
    decks = [(nb, export(nb, args.out, build)) for nb in notebooks]
    write_index(args.out, decks, build)
    print(f"{len(decks)} decks in {args.out}/ (open index.html; works offline)")


if __name__ == "__main__":
    main()
