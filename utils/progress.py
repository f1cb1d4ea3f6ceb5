"""A progress bar for training loops that keeps notebook outputs deterministic.

In Jupyter it shows an ipywidgets bar (no rates or times are printed, so nbval can compare the cell);
elsewhere (tests, scripts) it iterates silently.
"""


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress(iterable, total=None, description="progress"):
    """Yield the items of ``iterable`` while a bar shows how many have been done."""
    if total is None:
        total = len(iterable)
    if not _in_notebook():
        yield from iterable
        return
    import ipywidgets as widgets
    from IPython.display import display

    bar = widgets.IntProgress(value=0, min=0, max=total, description=description,
                              style={"description_width": "initial"})
    display(bar)
    # Each update is a message to the front end; thousands of them in one cell can flood it.
    every = max(1, total // 50)
    done = 0
    for item in iterable:
        yield item
        done += 1
        if done % every == 0 or done == total:
            bar.value = done
    bar.bar_style = "success"
