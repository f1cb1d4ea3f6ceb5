"""Show the real code from ``utils`` inside a notebook, so the text never drifts from the library.

``show_source(utils.boxes.box_iou)`` renders the function's source as highlighted Python. Its plain-text
form is the source itself, so nbval (strict mode) fails if the library changes and the notebook is not
re-run: the committed notebook always shows the code that runs.
"""

import inspect
import pathlib

_ROOT = pathlib.Path(__file__).resolve().parent.parent


class SourceCode:
    """A piece of source code that Jupyter renders as Markdown and plain text shows verbatim."""

    def __init__(self, code, where):
        self.code = code
        self.where = where

    def _repr_markdown_(self):
        return f"`{self.where}`\n\n```python\n{self.code}```"

    def __repr__(self):
        return f"# {self.where}\n{self.code}"


def show_source(*objects):
    """Return the source of one or more functions, classes or modules, ready for a notebook cell."""
    parts, places = [], []
    for obj in objects:
        lines, start = inspect.getsourcelines(obj)
        path = pathlib.Path(inspect.getsourcefile(obj)).resolve()
        try:
            path = path.relative_to(_ROOT)
        except ValueError:
            path = pathlib.Path(path.name)
        parts.append("".join(lines))
        places.append(f"{path.as_posix()}, line {start}" if start else path.as_posix())
    return SourceCode("\n".join(parts), "; ".join(places))
