"""Every widget's update time: move each control through a few valid values, one at a time.

Target: the median update of every widget under 100 ms (compute, redraw, PNG), so that dragging a slider feels
instant. An absolute target, unlike the ratios elsewhere: it is what a reader feels, on the machine they have.

On a shared machine, other processes slow some passes down: ``python -m benchmarks.bench_widgets --repeat 3``
measures each widget three times (a freshly built explorer each time, so no pass gains from an earlier one's
caches) and reports the quietest pass.
"""

import argparse
import functools
import statistics
import time

import numpy as np

import utils.widgets as W
from utils.plotting import use_course_style

TARGET_MS = 100


def _builders():
    """The factories that need data, built as in their notebooks (smaller runs, same kind of data)."""
    from utils import gan
    from utils.data import mixture_pdf_1d, ring_centres, sample_mixture_1d, sample_ring

    @functools.cache  # the training runs are data for the widget, not part of it: trained once
    def gan_1d_run():
        x = np.linspace(-4, 4, 201)
        real = sample_mixture_1d(2000, [-1.0, 1.0], [0.3, 0.3], seed=0)
        return x, gan.train_gan(real, steps=40, z_dim=1, grid=x, snapshot_every=10, n_fake=500)

    def gan_1d():
        x, run = gan_1d_run()
        return W.gan_1d_explorer(run, x, mixture_pdf_1d(x, [-1.0, 1.0], [0.3, 0.3]))

    @functools.cache
    def gan_zoo_runs():
        x, _ = sample_ring(2000, sigma=0.05, seed=0)
        g = np.linspace(-3, 3, 25)
        grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        runs = {loss: gan.train_gan(x, loss, steps=40, snapshot_every=10, grid=grid, n_fake=500, batch_size=64)
                for loss in gan.LOSSES}
        return x, grid, runs

    def gan_zoo():
        x, grid, runs = gan_zoo_runs()
        return W.gan_zoo_explorer(runs, ring_centres(8, 2.0), 0.05, grid, real=x[:500])

    def mask_threshold():
        rng = np.random.default_rng(0)
        target = np.zeros((32, 32))
        target[8:24, 8:24] = 1
        probs = np.clip(target * 0.8 + rng.uniform(0, 0.3, target.shape), 0, 1)
        return W.mask_threshold_explorer(rng.normal(size=target.shape), probs, target)

    return {"gan_1d_explorer": gan_1d, "gan_zoo_explorer": gan_zoo, "mask_threshold_explorer": mask_threshold}


def _values(control, n=6):
    """A few valid values for a control: options, or evenly spread slider positions on its step grid."""
    if getattr(control, "options", None):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if isinstance(control.value, tuple):  # a multiple selection: the first k options, k = 1, 2, ...
            return [tuple(options[:k]) for k in range(1, min(n, len(options)) + 1)]
        return options[:n]
    if isinstance(control.value, bool):
        return [not control.value]
    if not hasattr(control, "min"):
        return []
    lo, hi, step = control.min, control.max, control.step or 1
    values = [lo + round((v - lo) / step) * step for v in np.linspace(lo, hi, n)]
    return [type(control.value)(v) for v in values]


def update_times(explorer):
    """Seconds per update over every control and value (the control is put back after), invalid values skipped."""
    times = []
    for control in explorer.controls.values():
        start_value = control.value
        for value in _values(control):
            if value == control.value:
                continue
            start = time.perf_counter()
            try:
                control.value = value
            except ValueError:  # e.g. an image size the patch size does not divide
                continue
            times.append(time.perf_counter() - start)
        control.value = start_value
    return times


def main(repeat=1):
    use_course_style()  # as the notebooks show them (utils.setup_notebook): the style changes what a draw costs
    builders = _builders()
    ok = True
    for name in sorted(n for n in dir(W) if n.endswith("_explorer")):
        build = builders.get(name, getattr(W, name))
        passes = []  # (median, slowest, moves) of each pass
        for _ in range(repeat):
            try:
                explorer = build()
            except TypeError:
                break
            times = update_times(explorer)
            passes.append((statistics.median(times) * 1e3, max(times) * 1e3, len(times)))
        if not passes:
            print(f"{name}: needs arguments this benchmark does not build (skipped)")
            continue
        median, worst, moves = min(passes)  # the quietest pass
        good = median < TARGET_MS
        ok &= good
        print(f"{name}: median update {median:.0f} ms, slowest {worst:.0f} ms over {moves} moves"
              + (f" (quietest of {repeat} passes)" if repeat > 1 else "")
              + f" (target median < {TARGET_MS} ms) {'OK' if good else 'MISS'}")
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="passes per widget; the quietest is reported")
    main(parser.parse_args().repeat)
