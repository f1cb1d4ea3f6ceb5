"""The Chinese edition stays in step with the English notebooks (course/i18n.py).

The tooling is tested on a copy of one notebook in a temporary tree: a complete catalog passes the check; changing an
English markdown cell without updating the catalog fails it, naming the cell; so do a missing translation, a
translation of a cell that no longer exists, and a generated notebook whose code or outputs differ.
"""

import json
import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "course"))
import i18n  # noqa: E402

SAMPLE = ROOT / "notebooks" / "01_iou.ipynb"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(SAMPLE, tmp_path / "notebooks" / SAMPLE.name)
    nb = json.loads(SAMPLE.read_text(encoding="utf-8"))
    catalog = tmp_path / "course" / "i18n" / "zh" / f"{SAMPLE.stem}.md"
    catalog.parent.mkdir(parents=True)
    entries = [i18n.entry(c["id"], i18n.source(c), "译文 " + c["id"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    catalog.write_text("\n".join(entries), encoding="utf-8")
    i18n.generate(root=tmp_path)
    return tmp_path, catalog


def markdown_ids(path):
    return [c["id"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown"]


def test_a_complete_catalog_passes(tree):
    root, _ = tree
    assert i18n.check(root=root) == []
    zh = json.loads((root / "notebooks" / "zh" / SAMPLE.name).read_text(encoding="utf-8"))
    en = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert [c["id"] for c in zh["cells"]] == [c["id"] for c in en["cells"]]
    for a, b in zip(en["cells"], zh["cells"]):
        if a["cell_type"] == "code":
            assert a == b  # code and outputs identical
        else:
            assert i18n.source(b) == "译文 " + a["id"]


def test_changing_an_english_markdown_cell_fails_the_check(tree):
    root, _ = tree
    path = root / "notebooks" / SAMPLE.name
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = i18n.source(cell) + "\nOne more English sentence."
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    problems = i18n.check(root=root)
    assert any(cell["id"] in line and "stale" in line for line in problems), problems
    # the to-do list gives that cell with its new hash; pasting a translation under it fixes the check
    todo = i18n.todo(SAMPLE.stem, root=root)
    assert f"cell: {cell['id']} en: {i18n.sha(i18n.source(cell))}" in todo
    catalog = root / "course" / "i18n" / "zh" / f"{SAMPLE.stem}.md"
    entries = i18n.read_catalog(catalog)
    entries[cell["id"]] = (i18n.sha(i18n.source(cell)), "新的译文")
    i18n.write_catalog(catalog, entries)
    i18n.generate(root=root)
    assert i18n.check(root=root) == []


def test_missing_and_unknown_cells_are_named(tree):
    root, catalog = tree
    ids = markdown_ids(SAMPLE)
    entries = i18n.read_catalog(catalog)
    del entries[ids[1]]
    entries["deadbeef"] = ("0" * 12, "孤立的译文")
    i18n.write_catalog(catalog, entries)
    problems = i18n.check(root=root)
    assert any(ids[1] in p and "missing" in p for p in problems), problems
    assert any("deadbeef" in p for p in problems), problems


def test_a_generated_notebook_out_of_step_is_named(tree):
    root, _ = tree
    zh = root / "notebooks" / "zh" / SAMPLE.name
    nb = json.loads(zh.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["source"] = "print('changed only in the Chinese copy')"
    zh.write_text(json.dumps(nb), encoding="utf-8")
    assert any("out of step" in p for p in i18n.check(root=root))


def test_links_from_the_chinese_folder():
    assert i18n.relink("see [02](02_nms.ipynb) and [bank](../course/questions.md)") == \
        "see [02](02_nms.ipynb) and [bank](../../course/questions.md)"
    assert i18n.relink("[a](#3.-Proof) [b](https://arxiv.org/abs/1)") == "[a](#3.-Proof) [b](https://arxiv.org/abs/1)"


def test_section_links_follow_the_translated_headings(tmp_path):
    (tmp_path / "notebooks").mkdir()
    cells = [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "## 3. Proof: three references\n\ntext"},
        {"cell_type": "markdown", "id": "a2", "metadata": {}, "source": "See [the proof](#3.-Proof:-three-references)."},
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "01_x.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    catalog = tmp_path / "course" / "i18n" / "zh" / "01_x.md"
    i18n.write_catalog(catalog, {
        "a1": (i18n.sha(cells[0]["source"]), "## 3. 证明：三个参照\n\n正文"),
        "a2": (i18n.sha(cells[1]["source"]), "见[证明](#3.-Proof:-three-references)。"),
    })
    i18n.generate(root=tmp_path)
    zh = json.loads((tmp_path / "notebooks" / "zh" / "01_x.ipynb").read_text(encoding="utf-8"))
    assert i18n.source(zh["cells"][1]) == "见[证明](#3.-证明：三个参照)。"


def test_bold_after_chinese_punctuation_renders():
    assert i18n.fix_emphasis("**结论：**部分错误。**证据：** 见下") == "**结论：** 部分错误。**证据：** 见下"
    assert i18n.fix_emphasis("**问 [核心]：为什么？**") == "**问 [核心]：为什么？**"


def test_anchor_with_parentheses():
    own = {"Why-divide-by-sqrt(d_k)": "为什么除以-sqrt(d_k)"}
    assert i18n.reanchor("见[此](#Why-divide-by-sqrt(d_k))。", own, {}) == "见[此](#为什么除以-sqrt(d_k))。"


def test_bold_pairs_are_read_in_order():
    text = "- **原文：**「引文」。**结论：**部分错误。**证据：**[§ 3](#x)。"
    assert i18n.fix_emphasis(text) == "- **原文：**「引文」。**结论：** 部分错误。**证据：**[§ 3](#x)。"
