"""The robustness contract (contract.py) for every public function of utils.gan.

Measured problems of issue 11 pinned by name: ``js_divergence(p, q, dx=-1)`` was negative (``dx`` must be > 0), the
GAN losses and ``gradient_penalty`` returned NaN on an empty batch (now 0, documented), and
``train_gan(data, n_critic=0)`` raised UnboundLocalError (now a ValueError naming ``n_critic``). Divergences stay
finite (or the documented ``inf`` of KL) for any finite non-negative densities, including ones near float64's
maximum, where ``(p + q) / 2`` used to overflow. The trainers run with tiny sizes only.
"""

import math

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_COUNTS, BAD_UNIT_INTERVAL
from utils import gan

#: Qualified by the file of utils/gan/ that defines each function (the package re-exports them all).
COVERS = [f"utils.gan.{module}.{name}" for module, names in {
    "theory": ("optimal_discriminator", "kl_divergence", "js_divergence", "value_function", "kde_1d"),
    "losses": ("discriminator_loss", "saturating_generator_loss", "generator_loss", "lsgan_discriminator_loss",
               "lsgan_generator_loss", "wgan_critic_loss", "wgan_generator_loss", "gradient_penalty",
               "generator_gradients"),
    "models": ("mlp", "conv_transpose_size", "dcgan_generator", "shape_trace"),
    "training": ("fit_discriminator", "train_gan"),
    "modes": ("nearest_mode", "mode_coverage"),
}.items() for name in names]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOT_NUMBER_ARRAYS = (None, "0.5", [0.5, None], np.array([1 + 2j]), [[1.0], [1.0, 2.0]])
NOT_FLOAT_TENSORS = (None, np.zeros(3), torch.zeros(3, dtype=torch.int64), torch.tensor([0.0, float("nan")]),
                     torch.tensor([float("-inf"), 0.0]))
BAD_POSITIVE = (0.0, -1.0, float("nan"), float("inf"), None, "1", True)
#: name -> (loss function, number of score arguments, lower bound of the loss for any scores).
LOSSES = {
    "discriminator_loss": (gan.discriminator_loss, 2, 0.0),
    "saturating_generator_loss": (gan.saturating_generator_loss, 1, -math.inf),
    "generator_loss": (gan.generator_loss, 1, 0.0),
    "lsgan_discriminator_loss": (gan.lsgan_discriminator_loss, 2, 0.0),
    "lsgan_generator_loss": (gan.lsgan_generator_loss, 1, 0.0),
    "wgan_critic_loss": (gan.wgan_critic_loss, 2, -math.inf),
    "wgan_generator_loss": (gan.wgan_generator_loss, 1, -math.inf),
}


@st.composite
def density_pair(draw, high=1e300):
    n = draw(st.integers(0, 12))
    values = st.one_of(st.just(0.0), st.floats(0, high))
    return draw(hnp.arrays(np.float64, n, elements=values)), draw(hnp.arrays(np.float64, n, elements=values))


def _normalised(p):
    return p / p.sum() if p.sum() > 0 else p


@SETTINGS
@given(density_pair(), st.floats(1e-3, 1e3))
def test_theory_on_a_grid_valid(densities, dx):
    p, q = densities
    d_star = call_unchanged(gan.optimal_discriminator, p, q)
    assert d_star.shape == p.shape and ((d_star >= 0) & (d_star <= 1)).all()
    kl = call_unchanged(gan.kl_divergence, p, q, dx)
    assert not math.isnan(kl)  # inf where q = 0 < p, documented
    js = call_unchanged(gan.js_divergence, p, q, dx)
    assert math.isfinite(js)  # (p + q) / 2 used to overflow for densities near 1e308
    pn, qn = _normalised(p), _normalised(q)
    if p.sum() > 0 and q.sum() > 0:
        assert -1e-9 <= gan.js_divergence(pn, qn) <= math.log(2) + 1e-9
        assert gan.kl_divergence(pn, qn) >= -1e-9
    v = call_unchanged(gan.value_function, d_star, p, q, dx)
    assert not math.isnan(v) and v <= 0


def test_theory_on_a_grid_empty():
    e = np.zeros(0)
    assert gan.optimal_discriminator(e, e).shape == (0,)
    assert gan.kl_divergence(e, e) == gan.js_divergence(e, e) == gan.value_function(e, e, e) == 0.0


def test_theory_on_a_grid_rejects():
    p = np.array([0.5, 0.5])
    for bad in NOT_NUMBER_ARRAYS + ([-0.1, 1.0], [np.nan, 1.0], [np.inf, 1.0], [0.5, 0.5, 0.0]):
        rejects(gan.optimal_discriminator, bad, p, argument="p_data")
        rejects(gan.optimal_discriminator, p, bad, argument=("p_g", "p_data"))
        rejects(gan.kl_divergence, bad, p, argument="p")
        rejects(gan.js_divergence, p, bad, argument=("q", "p"))
        rejects(gan.value_function, p, bad, p, argument=("p_data", "D"))
    for bad in BAD_POSITIVE:
        rejects(gan.kl_divergence, p, p, bad, argument="dx")
        rejects(gan.js_divergence, p, [1.0, 0.0], bad, argument="dx")  # measured: dx=-1 gave a negative JSD
        rejects(gan.value_function, p, p, p, bad, argument="dx")
    for bad in ([1.5, 0.5], [-0.5, 0.5], [np.nan, 0.5], [0.5], "0.5", None):
        rejects(gan.value_function, bad, p, p, argument="D")


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 20), elements=st.floats(-1e6, 1e6)),
       hnp.arrays(np.float64, st.integers(0, 10), elements=st.floats(-1e6, 1e6)), st.floats(1e-3, 1e3))
def test_kde_1d_valid(samples, x, bandwidth):
    density = call_unchanged(gan.kde_1d, samples, x, bandwidth)
    assert density.shape == x.shape and np.isfinite(density).all() and (density >= 0).all()
    if samples.size == 0:
        assert (density == 0).all()  # documented: no samples, density 0


def test_kde_1d_rejects():
    for bad in BAD_POSITIVE:
        rejects(gan.kde_1d, [0.0], [0.0], bad, argument="bandwidth")
    for bad in NOT_NUMBER_ARRAYS + ([np.nan],):
        rejects(gan.kde_1d, bad, [0.0], argument="samples")
    for bad in NOT_NUMBER_ARRAYS + ([np.inf], [[0.0, 1.0]], 0.5):
        rejects(gan.kde_1d, [0.0], bad, argument="x")


scores = hnp.arrays(np.float32, st.tuples(st.integers(0, 8), st.sampled_from([1])),
                    elements=st.floats(-1e4, 1e4, width=32))


@SETTINGS
@given(scores, scores, st.sampled_from([torch.float32, torch.float64, torch.float16]))
def test_losses_valid(a, b, dtype):
    a, b = torch.from_numpy(a).to(dtype), torch.from_numpy(b).to(dtype)
    for name, (fn, n_args, lower) in LOSSES.items():
        args = (a, b)[:n_args]
        loss = call_unchanged(fn, *args)
        assert loss.shape == () and loss.dtype != torch.float16, name  # half precision is computed in float32
        assert_finite(loss, name)
        assert loss.item() >= lower, name
        if all(len(t) == 0 for t in args):
            assert loss.item() == 0.0, name  # documented: a mean over an empty batch is 0, not NaN


def test_losses_reject():
    ok = torch.zeros(3, 1)
    for name, (fn, n_args, _) in LOSSES.items():
        names = fn.__code__.co_varnames[:n_args]
        for i in range(n_args):
            for bad in NOT_FLOAT_TENSORS:
                args = [ok] * n_args
                args[i] = bad
                rejects(fn, *args, argument=names[i])


def _linear_critic(d=2):
    critic = torch.nn.Linear(d, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.arange(1.0, d + 1.0)[None])
    return critic


@SETTINGS
@given(st.integers(0, 6), st.integers(1, 4), st.data())
def test_gradient_penalty_valid(batch, d, data):
    real = torch.from_numpy(data.draw(hnp.arrays(np.float64, (batch, d), elements=st.floats(-1e3, 1e3))))
    fake = torch.from_numpy(data.draw(hnp.arrays(np.float64, (batch, d), elements=st.floats(-1e3, 1e3))))
    eps = torch.from_numpy(data.draw(hnp.arrays(np.float64, (batch, 1), elements=st.floats(0, 1))))
    critic = _linear_critic(d).double()
    penalty = call_unchanged(lambda r, f, e: gan.gradient_penalty(critic, r, f, e), real, fake, eps)
    assert_finite(penalty)
    norm = math.sqrt(sum(i * i for i in range(1, d + 1)))  # a linear critic's gradient is its weight everywhere
    assert math.isclose(penalty.item(), (norm - 1) ** 2 if batch else 0.0, rel_tol=1e-9, abs_tol=1e-12)


def test_gradient_penalty_rejects():
    critic, x = _linear_critic(), torch.zeros(3, 2)
    rejects(gan.gradient_penalty, None, x, x, argument="critic")
    for bad in NOT_FLOAT_TENSORS + (torch.zeros(3), torch.zeros(3, 2, 1)):
        rejects(gan.gradient_penalty, critic, bad, x, argument=("real", "fake"))
        rejects(gan.gradient_penalty, critic, x, bad, argument=("fake", "real"))
    rejects(gan.gradient_penalty, critic, x, torch.zeros(4, 2), argument=("real", "fake"))
    for bad in (torch.full((3, 1), 1.5), torch.full((3, 1), float("nan")), torch.zeros(3), torch.zeros(2, 1), 0.5):
        rejects(gan.gradient_penalty, critic, x, x, bad, argument="eps")
    assert gan.gradient_penalty(critic, torch.zeros(0, 2), torch.zeros(0, 2)).item() == 0.0  # measured: was NaN


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 10), elements=st.floats(1e-6, 1 - 1e-6)))
def test_generator_gradients_valid(d_fake):
    grads = call_unchanged(gan.generator_gradients, d_fake)
    np.testing.assert_allclose(grads["saturating"], d_fake, rtol=1e-6)
    np.testing.assert_allclose(grads["non-saturating"], 1 - d_fake, rtol=1e-6)


def test_generator_gradients_rejects():
    for bad in NOT_NUMBER_ARRAYS + ([0.0], [1.0], [np.nan], [1.5]):
        rejects(gan.generator_gradients, bad, argument="d_fake")


def test_mlp_valid_and_rejects():
    net = call_unchanged(gan.mlp, 3, 2, 4, 0)
    assert net(torch.zeros(5, 3)).shape == (5, 2)
    for name in ("in_dim", "out_dim", "hidden"):
        for bad in BAD_COUNTS:
            rejects(gan.mlp, **{"in_dim": 2, "out_dim": 1, "hidden": 4, name: bad}, argument=name)
    for bad in (-1, 1.5, None, True):
        rejects(gan.mlp, 2, 1, depth=bad, argument="depth")


def test_fit_discriminator_valid_and_rejects():
    real, fake = np.linspace(-1, 1, 16), np.linspace(0, 2, 12)
    D = call_unchanged(gan.fit_discriminator, real, fake, 3, 4, 8, 1e-2, 1)
    assert D(torch.zeros(2, 1)).shape == (2, 1)
    for name, bad in (("real", []), ("real", [np.nan]), ("real", np.zeros((2, 2, 2))), ("real", "a"), ("real", None),
                      ("real", [1e300])):  # 1e300 overflows float32: refused, not trained on as inf
        rejects(gan.fit_discriminator, bad, fake, steps=1, argument=name)
        rejects(gan.fit_discriminator, real, bad, steps=1, argument="fake")
    rejects(gan.fit_discriminator, real, np.zeros((4, 2)), steps=1, argument=("real", "fake"))
    for name in ("steps", "batch_size", "seed"):
        for bad in (-1, 2.5, None, True):
            rejects(gan.fit_discriminator, real, fake, **{name: bad}, argument=name)
    rejects(gan.fit_discriminator, real, fake, batch_size=0, argument="batch_size")
    rejects(gan.fit_discriminator, real, fake, hidden=0, argument="hidden")
    for bad in BAD_POSITIVE:
        rejects(gan.fit_discriminator, real, fake, lr=bad, argument="lr")


def _ring(n=64):
    from utils.data.mixtures import sample_ring

    return sample_ring(n, seed=1)


TINY = dict(steps=2, hidden=4, batch_size=8, snapshot_every=1, n_fake=5)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(gan.LOSSES)), st.integers(0, 3), st.integers(1, 2), st.booleans())
def test_train_gan_valid(loss, steps, n_critic, conditional):
    x, labels = _ring()
    extra = dict(labels=labels, n_classes=8) if conditional else dict(grid=np.zeros((3, 2)))
    run = call_unchanged(lambda data: gan.train_gan(data, loss, **{**TINY, "steps": steps}, n_critic=n_critic,
                                                    **extra), x)
    assert [s["step"] for s in run["snapshots"]] == list(range(steps + 1))
    assert run["history"]["loss_D"].shape == (steps,) and np.isfinite(run["history"]["loss_D"]).all()
    for s in run["snapshots"]:
        assert s["fake"].shape == (5, 2) and np.isfinite(s["fake"]).all()
        assert (s["D"] is None) == conditional


def test_train_gan_rejects():
    x, labels = _ring()
    rejects(gan.train_gan, x, n_critic=0, **TINY, argument="n_critic")  # measured: UnboundLocalError
    rejects(gan.train_gan, x, "wgan", **TINY, argument="loss")
    for name in ("steps", "n_classes", "n_fake", "seed"):
        for bad in (-1, 2.5, None, True):
            rejects(gan.train_gan, x, **{**TINY, name: bad}, argument=name)
    for name in ("snapshot_every", "z_dim", "batch_size", "n_critic", "hidden"):
        for bad in BAD_COUNTS:
            rejects(gan.train_gan, x, **{**TINY, name: bad}, argument=name)
    for bad in BAD_POSITIVE:
        rejects(gan.train_gan, x, **TINY, lr=bad, argument="lr")
        if bad is not None:  # lr_D=None means "the same as lr"
            rejects(gan.train_gan, x, **TINY, lr_D=bad, argument="lr_D")
    for bad in (-1.0, np.nan, None):
        rejects(gan.train_gan, x, **TINY, gp_weight=bad, argument="gp_weight")
    for bad in ((0.5,), (0.5, 1.0), (-0.1, 0.9), None, "ab", (0.5, np.nan)):
        rejects(gan.train_gan, x, **TINY, betas=bad, argument="betas")
    for bad in ([], [[np.nan, 0.0]], None, np.zeros((2, 2, 2))):
        rejects(gan.train_gan, bad, **TINY, argument="data")
    for bad in (labels[:-1], labels + 8, labels - 1, labels.astype(float), None):
        rejects(gan.train_gan, x, **TINY, labels=bad, n_classes=8, argument="labels")
    rejects(gan.train_gan, x, **TINY, labels=labels, argument="labels")  # labels without n_classes
    rejects(gan.train_gan, x, **TINY, grid=np.zeros((3, 3)), argument="grid")
    rejects(gan.train_gan, x, **TINY, grid=[np.nan], argument="grid")


@SETTINGS
@given(st.integers(0, 10), st.integers(1, 5), st.integers(1, 3), st.data())
def test_mode_metrics_valid(n, k, d, data):
    samples = data.draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-1e6, 1e6)))
    centres = data.draw(hnp.arrays(np.float64, (k, d), elements=st.floats(-1e6, 1e6)))
    index, dist = call_unchanged(gan.nearest_mode, samples, centres)
    assert index.shape == dist.shape == (n,) and ((index >= 0) & (index < k)).all() and (dist >= 0).all()
    sigma, min_share = data.draw(st.floats(1e-3, 1e3)), data.draw(st.floats(0, 1))
    m = call_unchanged(gan.mode_coverage, samples, centres, sigma, 3.0, min_share)
    assert 0 <= m["modes"] <= k and 0.0 <= m["high_quality"] <= 1.0 and m["counts"].shape == (k,)
    if n == 0:
        assert m["modes"] == 0 and m["high_quality"] == 0.0  # documented


def test_mode_metrics_empty_and_rejects():
    centres = np.eye(2)
    index, dist = gan.nearest_mode(np.zeros(0), centres)
    assert index.shape == dist.shape == (0,)
    for bad in NOT_NUMBER_ARRAYS + (np.zeros((0, 2)), [np.nan, 0.0], np.zeros(2)):
        rejects(gan.nearest_mode, np.zeros((1, 2)), bad, argument="centres")
    for bad in NOT_NUMBER_ARRAYS + ([[np.nan, 0.0]], np.zeros((2, 3))):
        rejects(gan.nearest_mode, bad, centres, argument="samples")
    for bad in BAD_POSITIVE:
        rejects(gan.mode_coverage, np.zeros((1, 2)), centres, bad, argument="sigma")
        rejects(gan.mode_coverage, np.zeros((1, 2)), centres, 1.0, bad, argument="n_sigma")
    for bad in BAD_UNIT_INTERVAL:
        rejects(gan.mode_coverage, np.zeros((1, 2)), centres, 1.0, min_share=bad, argument="min_share")


@SETTINGS
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.data())
def test_conv_transpose_size_valid(size, kernel, stride, padding, data):
    output_padding = data.draw(st.integers(0, stride - 1))
    expected = (size - 1) * stride - 2 * padding + kernel + output_padding
    if expected < 1:
        rejects(gan.conv_transpose_size, size, kernel, stride, padding, output_padding, argument="padding")
        return
    out = call_unchanged(gan.conv_transpose_size, size, kernel, stride, padding, output_padding)
    layer = torch.nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding)
    assert out == expected == layer(torch.zeros(1, 1, size, size)).shape[2]


def test_conv_transpose_size_rejects():
    for name in ("size", "kernel", "stride"):
        for bad in BAD_COUNTS:
            args = {"size": 4, "kernel": 4, "stride": 2, name: bad}
            rejects(gan.conv_transpose_size, **args, argument=name)
    for name in ("padding", "output_padding"):
        for bad in (-1, 1.5, None, True, "0"):
            rejects(gan.conv_transpose_size, 4, 4, 2, **{name: bad}, argument=name)
    rejects(gan.conv_transpose_size, 4, 4, 2, 1, 2, argument="output_padding")  # must be < stride, as in torch


def test_dcgan_generator_and_shape_trace():
    G = call_unchanged(gan.dcgan_generator, 4, (8, 4), 1)
    x = torch.randn(1, 4, 1, 1)  # a batch of one: BatchNorm in eval mode inside shape_trace
    trace = call_unchanged(lambda t: gan.shape_trace(G, t), x)
    assert trace[0] == ("input", (1, 4, 1, 1)) and trace[-1][1] == (1, 1, 16, 16) and G.training
    assert gan.shape_trace(G, torch.zeros(0, 4, 1, 1))[-1][1] == (0, 1, 16, 16)  # an empty batch passes through
    for name in ("z_dim", "channels"):
        for bad in BAD_COUNTS:
            rejects(gan.dcgan_generator, **{name: bad}, argument=name)
    for bad in ((), [], "abc", None, 3, (8, 0), (8, 2.5), (8, None)):
        rejects(gan.dcgan_generator, widths=bad, argument="widths")
    for bad in (None, torch.nn.Linear(2, 2), [torch.nn.ReLU()]):
        rejects(gan.shape_trace, bad, x, argument="model")
    for bad in (None, np.zeros((1, 4, 1, 1)), torch.zeros(1, 4, 1, 1, dtype=torch.int64)):
        rejects(gan.shape_trace, G, bad, argument="x")
