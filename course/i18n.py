"""The Chinese edition: generated from the English notebooks and a translation catalog, checked for drift.

One catalog per notebook, ``course/i18n/zh/NN_name.md``: the translation of every markdown cell, each after a marker
that names the English cell it translates and a hash of the English source it was made from::

    <!-- cell: a9420b52 en: 3f2a9c1d0b7e -->
    # 非极大值抑制（NMS）……

Code cells are never translated: the Chinese notebook ``notebooks/zh/NN_name.ipynb`` has the English notebook's code
cells with their outputs, byte for byte, and its markdown cells from the catalog. So nbval runs on the English
notebooks only; the Chinese ones share their code and outputs by construction.

    python course/build.py i18n             # regenerate notebooks/zh/*.ipynb from the English notebooks + catalogs
    python course/build.py i18n --check     # exit 1 naming every cell that is missing, stale or out of step
    python course/build.py i18n --todo NB   # print the cells of NB (a name like 01_iou) that need a translation,
                                            # as catalog entries with the English text to replace

The workflow for a contributor who changed an English markdown cell: ``--check`` names the stale cell; ``--todo``
prints its catalog entry with the new hash and the English text; paste it over the old entry in the catalog,
translate, and run ``i18n`` to regenerate.
"""

import copy
import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
LANGUAGES = ("zh",)


def paths(lang="zh", root=ROOT):
    """Where the English notebooks, the translated notebooks and the catalogs of ``lang`` live under ``root``."""
    return root / "notebooks", root / "notebooks" / lang, root / "course" / "i18n" / lang
MARKER = re.compile(r"^<!-- cell: (?P<id>[\w-]+) en: (?P<sha>[0-9a-f]{12}) -->[ \t]*$", re.MULTILINE)


def english_notebooks(root=ROOT):
    return sorted(paths(root=root)[0].glob("[0-9][0-9]_*.ipynb"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def sha(text):
    """The first 12 hex digits of the SHA-256 of a cell's English source: what a translation was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_catalog(path):
    """``{cell_id: (sha, translation)}`` from a catalog file (empty if it does not exist)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(MARKER.finditer(text))
    entries = {}
    for mark, nxt in zip(marks, marks[1:] + [None]):
        body = text[mark.end(): nxt.start() if nxt else len(text)]
        entries[mark.group("id")] = (mark.group("sha"), body.strip("\n"))
    return entries


def write_catalog(path, entries):
    """Write ``{cell_id: (sha, translation)}`` as a catalog file (the inverse of :func:`read_catalog`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(f"<!-- cell: {k} en: {h} -->\n{v}\n" for k, (h, v) in entries.items())
    path.write_text(text, encoding="utf-8")


def entry(cell_id, english, translation=None):
    """One catalog entry: the marker line and the translation (or, for a to-do, the English text)."""
    return f"<!-- cell: {cell_id} en: {sha(english)} -->\n{translation if translation is not None else english}\n"


def relink(markdown):
    """Links as seen from ``notebooks/zh/``: sibling notebooks stay siblings (their Chinese editions); anything else
    relative (``../course/...``, images) goes one folder up."""

    def fix(match):
        target = match.group(2)
        if re.match(r"^(\w+:|#|/)", target) or re.match(r"^\d\d_[\w-]+\.ipynb", target):
            return match.group(0)
        return f"{match.group(1)}../{target}"

    return re.sub(r"(\]\()([^)\s]+)", fix, markdown)


CJK_PUNCT = "：。，；！？、）」』》】"


def fix_emphasis(markdown):
    """CommonMark does not close ``**`` after punctuation when a letter follows (``**结论：**部分错误`` stays literal):
    put a space after such a closing ``**`` so the bold renders in every Markdown renderer. Delimiters pair up in
    order within a line (the first ``**`` opens, the second closes, ...)."""
    lines = []
    for line in markdown.split("\n"):
        parts = line.split("**")
        for k in range(2, len(parts), 2):  # parts[k] follows a closing ** (parts[k - 1] was bold)
            bold, after = parts[k - 1], parts[k]
            if bold and bold[-1] in CJK_PUNCT and after and re.match(r"[\u4e00-\u9fff0-9A-Za-z]", after):
                parts[k] = " " + after
        lines.append("**".join(parts))
    return "\n".join(lines)


def headings(markdown):
    """The heading texts of a markdown cell, in order (lines in code fences are not headings)."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6} ", line):
            found.append(line.lstrip("#").strip())
    return found


def anchor(heading):
    """JupyterLab's anchor for a heading: its rendered text with spaces replaced by ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](url) -> text
    text = text.replace("`", "")
    # emphasis marks only (as course/build.py's anchor): the * of ``V(D*, G)`` is text and stays in the anchor
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?![\s*])(.+?)(?<![\s*])[*_](?![\w*])", r"\1", text)
    return text.replace(" ", "-")


def anchor_map(english_path, lang="zh", root=ROOT):
    """``{english anchor: translated anchor}`` for the headings of a notebook's translated cells, so links to a
    section (``#3.-Proof``, ``02_nms.ipynb#5.-Two-thresholds``) can be kept in English in the catalog."""
    nb = json.loads(english_path.read_text(encoding="utf-8"))
    catalog = read_catalog(paths(lang, root)[2] / f"{english_path.stem}.md")
    mapping = {}
    for cell in nb["cells"]:
        found = catalog.get(cell.get("id"))
        if cell["cell_type"] != "markdown" or found is None or found[0] != sha(source(cell)):
            continue
        en, tr = headings(source(cell)), headings(found[1])
        if len(en) == len(tr):
            mapping.update({anchor(a): anchor(b) for a, b in zip(en, tr) if anchor(a) != anchor(b)})
    return mapping


def reanchor(markdown, own, others):
    """Rewrite links to English section anchors into the translated anchors: ``own`` maps this notebook's anchors,
    ``others[name]`` another notebook's (by file name)."""

    def fix(match):
        page, target = match.group(2), match.group(3)
        mapping = own if not page else others.get(page, {})
        return f"{match.group(1)}{page or ''}#{mapping.get(target, target)})"

    # a target may hold balanced parentheses (``#Why-divide-by-sqrt(d_k)``)
    return re.sub(r"(\]\()(\d\d_[\w-]+\.ipynb)?#((?:[^()\s]|\([^()\s]*\))+)\)", fix, markdown)


def all_anchor_maps(lang="zh", root=ROOT):
    return {p.name: anchor_map(p, lang, root) for p in english_notebooks(root)}


def build(english_path, lang="zh", root=ROOT, maps=None):
    """The translated notebook (a dict) and the problems found: ``[(cell_id, 'missing'|'stale')]``.

    A missing or stale cell keeps its English text in the generated notebook (never an outdated translation).
    Links to sections keep working: English anchors in a translation are rewritten to the translated headings.
    """
    nb = json.loads(english_path.read_text(encoding="utf-8"))
    catalog = read_catalog(paths(lang, root)[2] / f"{english_path.stem}.md")
    maps = maps if maps is not None else all_anchor_maps(lang, root)
    out = copy.deepcopy(nb)
    problems = []
    for cell in out["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        english = source(cell)
        found = catalog.get(cell["id"])
        if found is None:
            problems.append((cell["id"], "missing"))
        elif found[0] != sha(english):
            problems.append((cell["id"], "stale"))
        else:
            cell["source"] = fix_emphasis(reanchor(relink(found[1]), maps.get(english_path.name, {}), maps))
    out["metadata"]["language_info_i18n"] = {"lang": lang, "source": f"../{english_path.name}"}
    return out, problems


def dumps(nb):
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def generate(lang="zh", root=ROOT):
    """Write every translated notebook for which a catalog exists. Returns the problems by notebook."""
    _, target, catalogs = paths(lang, root)
    target.mkdir(parents=True, exist_ok=True)
    report = {}
    maps = all_anchor_maps(lang, root)
    for path in english_notebooks(root):
        if not (catalogs / f"{path.stem}.md").exists():
            continue
        nb, problems = build(path, lang, root, maps)
        (target / path.name).write_text(dumps(nb), encoding="utf-8")
        report[path.name] = problems
    return report


def check(lang="zh", require_all=True, root=ROOT):
    """Every problem, as lines: missing catalogs, missing or stale cells, unknown cells in a catalog, and generated
    notebooks that are out of step with their English source (code, outputs or translations differ)."""
    lines = []
    _, target, catalogs = paths(lang, root)
    maps = all_anchor_maps(lang, root)
    for path in english_notebooks(root):
        catalog_path = catalogs / f"{path.stem}.md"
        if not catalog_path.exists():
            if require_all:
                lines.append(f"{path.name}: no catalog ({catalog_path.relative_to(root)})")
            continue
        nb, problems = build(path, lang, root, maps)
        for cell_id, what in problems:
            lines.append(f"{path.name}: cell {cell_id} is {what}"
                         + (" (its English source changed since it was translated)" if what == "stale" else ""))
        ids = {c["id"] for c in nb["cells"]}
        for cell_id in read_catalog(catalog_path):
            if cell_id not in ids:
                lines.append(f"{path.name}: the catalog translates cell {cell_id}, which the notebook no longer has")
        generated = target / path.name
        if not generated.exists():
            lines.append(f"{path.name}: {generated.relative_to(root)} does not exist (run `python course/build.py i18n`)")
        elif generated.read_text(encoding="utf-8") != dumps(nb):
            lines.append(f"{path.name}: {generated.relative_to(root)} is out of step (code, outputs or translations "
                         "differ): run `python course/build.py i18n`")
    return lines


def todo(name, lang="zh", root=ROOT):
    """Catalog entries (English text, current hash) for the cells of notebook ``name`` that need a translation."""
    (path,) = [p for p in english_notebooks(root) if p.stem == name or p.name == name or p.stem.startswith(f"{name}_")]
    nb = json.loads(path.read_text(encoding="utf-8"))
    catalog = read_catalog(paths(lang, root)[2] / f"{path.stem}.md")
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            english = source(cell)
            found = catalog.get(cell["id"])
            if found is None or found[0] != sha(english):
                out.append(entry(cell["id"], english))
    return "\n".join(out)


def main(args):
    if "--check" in args:
        lines = check()
        for line in lines:
            print(line)
        print("Chinese edition in step with the English notebooks" if not lines else f"{len(lines)} problems")
        return 1 if lines else 0
    if "--todo" in args:
        print(todo(args[args.index("--todo") + 1]))
        return 0
    for name, problems in generate().items():
        print(f"wrote notebooks/zh/{name}" + (f" ({len(problems)} cells still in English)" if problems else ""))
    return 0
