"""Where the slides of a notebook start, so every slide fits a 1280x800 screen.

RISE (live slides in JupyterLab) and ``make slides`` (offline reveal.js decks) read each cell's
``metadata.slideshow.slide_type``: ``slide`` (a new slide), ``subslide`` (a new slide below the current one),
``-`` (continue the current slide) or ``skip``. This module chooses them:

- a level-1 or level-2 heading starts a slide, a level-3 heading a sub-slide;
- a cell that would push the slide past the screen starts a sub-slide: its height is estimated from its content
  (lines of text and code after wrapping, output lines, figure sizes scaled to the slide width, widgets);
- everything from ``## Going deeper`` on is skipped (the lecture path ends there), and so are cells tagged
  ``widget-check`` (they set a control and print the numbers for the tests).

A cell taller than a whole slide cannot be cut by metadata alone; for the decks, :func:`paginate` first cuts such
cells into screen-sized pieces (paragraphs of text, lines of code or output, one figure each), which
``course/slides.py`` exports. The layout constants below are those of the deck's style sheet (``DECK_CSS`` in
``course/slides.py``): change them together.

    python course/build.py slide-metadata    # write the slide types into every notebook (RISE uses them)
"""

import base64
import copy
import json
import math
import pathlib
import re
import struct
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# The deck's canvas (reveal.js width x height) and what fits on it, in CSS pixels of that canvas.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 800
# The sizes were measured in Chromium on decks where every cell is a slide of its own (a least-squares fit of the
# measured heights against these features), then rounded up.
BUDGET = 720                 # height a slide's content may fill (the rest: reveal.js's margins, rounding slack)
CONTENT_WIDTH = 1180         # width of a cell's content on the slide
CELL_BASE = {"markdown": 70, "code": 95}  # margins of a cell on its slide (and a code cell's input box)
TEXT_LINE, TEXT_CHARS = 30, 125     # a line of prose: 20 px font, 1.5 line height; characters per wrapped line
CODE_LINE, CODE_CHARS = 18, 118     # a line of code or printed output: 15 px monospace
HEADING = {1: 200, 2: 40, 3: 40, 4: 35}   # the title is set large and wraps
PARAGRAPH_GAP = 36
SUMMARY = 48                 # the summary line of a folded answer
TABLE_ROW = 50
OUTPUT_BASE = 12             # an output block's padding
LISTING_BASE = 80            # a source listing (show_source): its file/line header and the code box
FIGURE_MARGIN = 66
FIGURE_MAX_HEIGHT = 520      # the deck's style sheet scales larger figures down to this height
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


# --- what a cell is -------------------------------------------------------------------------------------------------

def source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def heading_level(cell):
    """1, 2, 3... if a markdown cell starts with a heading, else 0."""
    if cell.get("cell_type") != "markdown":
        return 0
    match = re.match(r"(#{1,6}) ", source(cell).lstrip())
    return len(match.group(1)) if match else 0


def starts_going_deeper(cell):
    return cell.get("cell_type") == "markdown" and re.match(r"##\s+Going deeper\b", source(cell).lstrip()) is not None


def is_widget_check(cell):
    return "widget-check" in cell.get("metadata", {}).get("tags", [])


# --- heights --------------------------------------------------------------------------------------------------------

def wrapped_lines(text, width):
    """Screen lines of ``text`` when each line wraps at ``width`` characters."""
    return sum(max(1, math.ceil(len(line) / width)) for line in text.split("\n"))


def png_size(data):
    """``(width, height)`` of a base64 PNG (read from its header), or ``(0, 0)``."""
    try:
        raw = base64.b64decode(data if isinstance(data, str) else "".join(data))
        return struct.unpack(">II", raw[16:24])
    except (ValueError, struct.error):
        return 0, 0


def figure_height(width, height):
    """Height of a figure on the slide: scaled down to the content width, capped by the style sheet."""
    if not width:
        return 0
    return min(FIGURE_MAX_HEIGHT, height * min(1.0, CONTENT_WIDTH / width)) + FIGURE_MARGIN


def markdown_height(text):
    """Estimated height of rendered markdown: headings, wrapped prose, tables, code blocks, folded answers."""
    height, in_code, in_details, in_math = 0, False, 0, False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            height += CODE_LINE * wrapped_lines(line, CODE_CHARS) if not in_details else 0
            continue
        if stripped == "$$":
            in_math = not in_math
            height += 10
            continue
        in_details += stripped.count("<details") - stripped.count("</details>")
        if "<summary>" in stripped:  # a folded block shows its summary line only
            height += SUMMARY
            continue
        if in_details > 0 or stripped.startswith("</details>"):
            continue
        if not stripped:
            height += PARAGRAPH_GAP
        elif in_math or stripped.startswith("$$"):
            height += 45
        elif re.match(r"#{1,6} ", stripped):
            height += HEADING.get(len(stripped.split(" ", 1)[0]), 40)
        elif stripped.startswith("|"):
            if not re.match(r"^\|[\s:|-]+\|$", stripped):  # a row: as high as its longest cell wraps
                cells = [re.sub(r"\]\([^)]*\)|[*`]", "", c).strip() for c in stripped.strip("|").split("|")]
                share = TEXT_CHARS / max(1, len(cells))
                height += TABLE_ROW + TEXT_LINE * (max(math.ceil(len(c) / share) for c in cells) - 1)
        else:
            # links and markup take characters that are not shown
            shown = re.sub(r"\]\([^)]*\)|<[^>]+>|[*`]", "", stripped)
            height += TEXT_LINE * wrapped_lines(shown, TEXT_CHARS)
    return height


def widget_height(view, state):
    """Height of a saved widget: its images (scaled) beside or above its controls, plus its read-out."""
    models = state.get("state", {}) if state else {}

    def size(model_id, seen=()):
        model = models.get(model_id)
        if model is None or model_id in seen:
            return 0, 0
        name, st = model.get("model_name", ""), model.get("state", {})
        if name == "ImageModel":
            for buffer in model.get("buffers", []):
                if buffer.get("path") == ["value"]:
                    w, h = png_size(buffer["data"])
                    return min(w, CONTENT_WIDTH), figure_height(w, h)
            return 0, 0
        children = st.get("children", [])
        if isinstance(children, str):  # some writers store the list as its repr
            children = re.findall(r"IPY_MODEL_(\w+)", children)
        children = [c.replace("IPY_MODEL_", "") for c in children]
        sizes = [size(c, seen + (model_id,)) for c in children]
        if name in ("HBoxModel", "GridBoxModel"):
            return sum(w for w, _ in sizes), max((h for _, h in sizes), default=0)
        if name.endswith("BoxModel") or name in ("AccordionModel", "TabModel"):
            return max((w for w, _ in sizes), default=0), sum(h for _, h in sizes)
        if name == "HTMLModel" or name == "HTMLMathModel":
            rows = str(st.get("value", "")).count("<tr")
            return 300, max(1, rows) * 30 + 4
        return 300, 36  # a slider, dropdown, button or label

    width, height = size(view.get("model_id", ""))
    return max(height, 60) + 10


def output_height(output, state=None):
    kind = output.get("output_type")
    if kind == "stream":
        return CODE_LINE * wrapped_lines(source({"source": output.get("text", "")}).rstrip("\n"), CODE_CHARS) + OUTPUT_BASE
    if kind == "error":
        return CODE_LINE * 6
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return widget_height(data[WIDGET_VIEW], state)
    if "image/png" in data:
        return figure_height(*png_size(data["image/png"]))
    if "text/html" in data:
        text = source({"source": data["text/html"]})
        return max(TEXT_LINE, text.count("<tr") * 34 + text.count("<p") * TEXT_LINE)
    if "text/markdown" in data:
        return markdown_height(source({"source": data["text/markdown"]})) + LISTING_BASE
    if "text/plain" in data:
        return CODE_LINE * wrapped_lines(source({"source": data["text/plain"]}), CODE_CHARS) + OUTPUT_BASE
    return 0


def cell_height(cell, state=None):
    """Estimated height of a cell on a slide, in canvas pixels."""
    kind = cell.get("cell_type")
    if kind == "markdown":
        return CELL_BASE[kind] + markdown_height(source(cell))
    if kind != "code":
        return 0
    text = source(cell).rstrip("\n")
    height = CELL_BASE[kind] + (CODE_LINE * wrapped_lines(text, CODE_CHARS) if text else 0)
    return height + sum(output_height(o, state) for o in cell.get("outputs", []))


# --- slide types ----------------------------------------------------------------------------------------------------

def slide_types(cells, state=None):
    """The ``slide_type`` of each cell (see the module docstring)."""
    kinds, used, deeper = [], 0, False
    for index, cell in enumerate(cells):
        deeper = deeper or starts_going_deeper(cell)
        height = cell_height(cell, state)
        level = heading_level(cell)
        if deeper or is_widget_check(cell) or (cell.get("cell_type") == "raw"):
            kinds.append("skip")
            continue
        if index == 0 or level in (1, 2):
            kind, used = "slide", height
        elif level == 3 or used + height > BUDGET:
            kind, used = "subslide", height
        else:
            kind, used = "-", used + height
        kinds.append(kind)
    return kinds


def widget_state(nb):
    return nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})


def apply(nb):
    """Set every cell's ``metadata.slideshow.slide_type`` in ``nb`` (a notebook dict); return True if any changed."""
    changed = False
    for cell, kind in zip(nb["cells"], slide_types(nb["cells"], widget_state(nb))):
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") != kind:
            cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


# --- cutting tall cells into pieces (decks only) ----------------------------------------------------------------------

def markdown_blocks(text):
    """Split markdown at blank lines that are outside code fences, math blocks and ``<details>``."""
    blocks, current, fence, math_block, details = [], [], False, False, 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = not fence
        elif stripped == "$$":
            math_block = not math_block
        elif not fence:
            details += stripped.count("<details") - stripped.count("</details>")
        if not stripped and not (fence or math_block or details > 0) and current:
            blocks.append("\n".join(current))
            current = []
        elif stripped or current:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def pack(items, height, budget):
    """Group ``items`` in order into runs whose summed ``height(item)`` stays within ``budget`` (an item taller than
    the budget is a run of its own)."""
    runs, run, used = [], [], 0
    for item in items:
        h = height(item)
        if run and used + h > budget:
            runs.append(run)
            run, used = [], 0
        run.append(item)
        used += h
    return runs + [run] if run else runs


def line_chunks(text, budget, line=CODE_LINE, extra=0):
    """Cut text into chunks of whole lines that fit ``budget``, preferring to cut at a blank line."""
    lines = text.split("\n")
    per = max(4, (budget - extra) // line)
    chunks, start = [], 0
    while start < len(lines):
        end = min(len(lines), start + per)
        if end < len(lines):
            blank = [i for i in range(start + per // 2, end) if not lines[i].strip()]
            end = blank[-1] + 1 if blank else end
        chunks.append("\n".join(lines[start:end]).strip("\n"))
        start = end
    return [c for c in chunks if c]


def fenced_chunks(text, budget):
    """Cut a rendered source listing (markdown with a ```python fence) into fenced pieces that fit ``budget``."""
    match = re.match(r"(?s)(.*?)```(\w*)\n(.*?)\n```\s*$", text)
    if not match:
        return [text]
    before, language, code = match.groups()
    chunks = line_chunks(code, budget - markdown_height(before) - LISTING_BASE)
    return [(before if i == 0 else "") + f"```{language}\n{chunk}\n```" for i, chunk in enumerate(chunks)]


def _piece(cell, **changes):
    piece = copy.deepcopy(cell)
    piece.update(changes)
    piece["id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"{cell.get('id', '')}/{changes}").hex[:8]
    piece.setdefault("metadata", {})
    return piece


def split_cell(cell, state=None, budget=BUDGET):
    """``cell`` as a list of pieces, each (if at all possible) at most ``budget`` high."""
    if cell_height(cell, state) <= budget:
        return [cell]
    if cell.get("cell_type") == "markdown":
        runs = pack(markdown_blocks(source(cell)), lambda b: markdown_height(b) + PARAGRAPH_GAP, budget)
        return [cell if len(runs) == 1 else _piece(cell, source="\n\n".join(run)) for run in runs]
    if cell.get("cell_type") != "code":
        return [cell]
    # the code itself, then its outputs; every piece after the first shows outputs only (tag slide-continued)
    pieces = []
    code = source(cell).rstrip("\n")
    room = budget - CELL_BASE["code"]  # what a piece of a code cell may fill besides its own margins
    code_chunks = line_chunks(code, room) if code else [""]
    for chunk in code_chunks[:-1]:
        pieces.append(_piece(cell, source=chunk, outputs=[]))
    outputs = []
    for output in cell.get("outputs", []):
        outputs += split_output(output, state, room)
    runs = pack(outputs, lambda o: output_height(o, state), room)
    last = code_chunks[-1]
    first_run = []
    if runs and CODE_LINE * wrapped_lines(last, CODE_CHARS) + sum(output_height(o, state) for o in runs[0]) <= room:
        first_run = runs.pop(0)
    pieces.append(_piece(cell, source=last, outputs=first_run))
    for run in runs:
        piece = _piece(cell, source="", outputs=run)
        piece["metadata"]["tags"] = [*piece["metadata"].get("tags", []), "slide-continued"]
        pieces.append(piece)
    return pieces


def split_output(output, state, budget):
    """A tall text or listing output as several outputs that each fit ``budget``."""
    if output_height(output, state) <= budget:
        return [output]
    if output.get("output_type") == "stream":
        text = source({"source": output["text"]})
        return [dict(output, text=chunk + "\n") for chunk in line_chunks(text, budget, extra=OUTPUT_BASE)]
    data = output.get("data", {})
    if "text/markdown" in data and WIDGET_VIEW not in data:
        chunks = fenced_chunks(source({"source": data["text/markdown"]}), budget)
        return [dict(output, data={"text/markdown": chunk}) for chunk in chunks]
    return [output]


def paginate(nb):
    """A copy of ``nb`` whose tall cells are cut into pieces and whose cells carry slide types: for the decks."""
    nb = copy.deepcopy(nb)
    state = widget_state(nb)
    cells = []
    deeper = False
    for cell in nb["cells"]:
        deeper = deeper or starts_going_deeper(cell)
        cells += [cell] if deeper or is_widget_check(cell) else split_cell(cell, state)
    nb["cells"] = cells
    apply(nb)
    return nb


# --- the notebooks ----------------------------------------------------------------------------------------------------

def notebooks():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def add_slide_metadata(path):
    """Write the slide types into the notebook at ``path`` (only if one changed); return True if it changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if apply(nb):
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return True
    return False


def main(paths=None):
    for path in paths or notebooks():
        if add_slide_metadata(path):
            print(f"marked slides in {path.name}")
    return 0
