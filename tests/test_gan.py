"""utils.gan and utils.data.mixtures: D* and the JSD identity, the losses against hand formulas and torch,
the mode-coverage metric on constructed samples, the trainer, widgets and checkers, bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy, norm

from utils import gan
from utils.checks.gan import check_gradient_penalty, check_js_divergence, check_optimal_discriminator
from utils.data.mixtures import mixture_pdf_1d, ring_centres, sample_mixture_1d, sample_ring

X = np.linspace(-12, 12, 6001)
DX = X[1] - X[0]


# --- data -----------------------------------------------------------------------------------------------

def test_mixture_pdf_matches_scipy_and_integrates_to_one():
    p = mixture_pdf_1d(X, [-1.0, 2.0], [0.5, 1.0], [0.3, 0.7])
    ref = 0.3 * norm.pdf(X, -1, 0.5) + 0.7 * norm.pdf(X, 2, 1.0)
    np.testing.assert_allclose(p, ref, atol=1e-12)
    assert abs(p.sum() * DX - 1) < 1e-6


def test_mixture_samples_have_the_mixture_moments():
    s = sample_mixture_1d(200_000, [-1.0, 2.0], [0.5, 1.0], [0.3, 0.7], seed=0)
    mean = 0.3 * -1 + 0.7 * 2
    var = 0.3 * (0.25 + 1) + 0.7 * (1 + 4) - mean**2
    assert abs(s.mean() - mean) < 0.02 and abs(s.var() - var) < 0.03
    np.testing.assert_array_equal(s, sample_mixture_1d(200_000, [-1.0, 2.0], [0.5, 1.0], [0.3, 0.7], seed=0))
    assert sample_mixture_1d(0, [0.0], [1.0]).shape == (0,)


def test_ring():
    c = ring_centres(8, 2.0)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    np.testing.assert_allclose(c[0], [2.0, 0.0], atol=1e-12)
    x, y = sample_ring(4000, sigma=0.05, seed=1)
    assert x.shape == (4000, 2) and x.dtype == np.float32 and y.shape == (4000,)
    assert (x - c[y]).std() == pytest.approx(0.05, rel=0.05)
    assert set(np.unique(y)) == set(range(8))
    assert sample_ring(0)[0].shape == (0, 2)


@pytest.mark.parametrize("call", [
    lambda: mixture_pdf_1d(X, [0.0], [-1.0]),
    lambda: mixture_pdf_1d(X, [0.0, 1.0], [1.0, 0.0]),
    lambda: mixture_pdf_1d(X, [0.0, 1.0], 1.0, [0.5, 0.6]),
    lambda: mixture_pdf_1d(X, [], 1.0),
    lambda: sample_mixture_1d(-1, [0.0], [1.0]),
    lambda: sample_ring(10, sigma=-0.1),
    lambda: ring_centres(0),
    lambda: ring_centres(8, radius=-1),
])
def test_mixture_bad_input(call):
    with pytest.raises(ValueError):
        call()


# --- D* and the JSD identity ------------------------------------------------------------------------------

def test_optimal_discriminator_closed_form_for_equal_variance_gaussians():
    # log p_data - log p_g is linear in x for equal variances, so D* is a logistic curve.
    mu1, mu2, s = -1.0, 1.5, 0.8
    d_star = gan.optimal_discriminator(norm.pdf(X, mu1, s), norm.pdf(X, mu2, s))
    logit = ((X - mu2) ** 2 - (X - mu1) ** 2) / (2 * s**2)
    np.testing.assert_allclose(d_star, 1 / (1 + np.exp(-logit)), atol=1e-12)


def test_optimal_discriminator_edge_cases():
    np.testing.assert_array_equal(gan.optimal_discriminator([0.0, 1.0, 0.0], [0.0, 0.0, 2.0]), [0.5, 1.0, 0.0])
    assert gan.optimal_discriminator([], []).shape == (0,)


@pytest.mark.parametrize("mu_g, sigma_g", [(0.0, 1.0), (0.5, 1.0), (2.0, 0.5), (-3.0, 1.5)])
def test_value_at_d_star_is_minus_log4_plus_2jsd(mu_g, sigma_g):
    p_data = mixture_pdf_1d(X, [-1.5, 1.0], [0.4, 0.6], [0.4, 0.6])
    p_g = norm.pdf(X, mu_g, sigma_g)
    d_star = gan.optimal_discriminator(p_data, p_g)
    V = gan.value_function(d_star, p_data, p_g, DX)
    assert V == pytest.approx(-np.log(4) + 2 * gan.js_divergence(p_data, p_g, DX), abs=1e-6)
    assert -np.log(4) - 1e-6 <= V <= 0


def test_value_is_minus_log4_when_generator_matches():
    p = norm.pdf(X, 0.3, 1.1)
    assert gan.value_function(gan.optimal_discriminator(p, p), p, p, DX) == pytest.approx(-np.log(4), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.3, 0.3), st.floats(-3, 3))
def test_d_star_maximises_v(delta, centre):
    p_data = norm.pdf(X, -1, 1)
    p_g = norm.pdf(X, 1.5, 0.7)
    d_star = gan.optimal_discriminator(p_data, p_g)
    bump = delta * np.exp(-((X - centre) ** 2))
    other = np.clip(d_star + bump, 1e-9, 1 - 1e-9)
    assert gan.value_function(other, p_data, p_g, DX) <= gan.value_function(d_star, p_data, p_g, DX) + 1e-12


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8), st.integers(0, 2**31))
def test_jsd_matches_scipy(weights, seed):
    p = np.asarray(weights) + 1e-3
    p /= p.sum()
    q = np.random.default_rng(seed).dirichlet(np.ones(len(p)))
    # scipy returns the Jensen-Shannon *distance*, the square root of the divergence
    assert gan.js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-9)
    assert gan.js_divergence(p, q) == pytest.approx(gan.js_divergence(q, p), abs=1e-12)
    assert 0 <= gan.js_divergence(p, q) <= np.log(2) + 1e-12
    assert gan.kl_divergence(p, q) == pytest.approx(entropy(p, q), abs=1e-9)


def test_jsd_and_kl_edge_cases():
    assert gan.js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.log(2))
    assert gan.js_divergence([0.2, 0.8], [0.2, 0.8]) == 0.0
    assert gan.kl_divergence([0.5, 0.5], [1.0, 0.0]) == float("inf")
    # disjoint densities on a grid: JSD = log 2 even though KL is infinite
    p, q = norm.pdf(X, -5, 0.3), norm.pdf(X, 5, 0.3)  # disjoint in floating point
    assert gan.js_divergence(p, q, DX) == pytest.approx(np.log(2), abs=1e-6)


@pytest.mark.parametrize("call", [
    lambda: gan.optimal_discriminator([0.1, 0.2], [0.1]),
    lambda: gan.optimal_discriminator([-0.1], [0.1]),
    lambda: gan.js_divergence([np.nan], [1.0]),
    lambda: gan.value_function([1.5], [0.5], [0.5]),
    lambda: gan.value_function([0.5, 0.5], [0.5], [0.5]),
    lambda: gan.kde_1d([0.0], X, bandwidth=0),
])
def test_theory_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_kde_integrates_to_one():
    s = sample_mixture_1d(2000, [0.0], [1.0], seed=0)
    assert gan.kde_1d(s, X, 0.1).sum() * DX == pytest.approx(1.0, abs=1e-6)
    assert gan.kde_1d([], X).sum() == 0


# --- losses against hand formulas and torch ---------------------------------------------------------

A_REAL = torch.tensor([2.0, -1.0, 0.3, 15.0], dtype=torch.float64)
A_FAKE = torch.tensor([-3.0, 0.5, 0.0, -20.0], dtype=torch.float64)


def test_discriminator_loss_is_bce():
    ref = (torch.nn.functional.binary_cross_entropy_with_logits(A_REAL, torch.ones(4, dtype=torch.float64))
           + torch.nn.functional.binary_cross_entropy_with_logits(A_FAKE, torch.zeros(4, dtype=torch.float64)))
    assert float(gan.discriminator_loss(A_REAL, A_FAKE)) == pytest.approx(float(ref), abs=1e-12)


def test_generator_losses_by_hand():
    D = torch.sigmoid(A_FAKE)
    assert float(gan.saturating_generator_loss(A_FAKE)) == pytest.approx(float(torch.log(1 - D).mean()), abs=1e-9)
    assert float(gan.generator_loss(A_FAKE)) == pytest.approx(float(-torch.log(D).mean()), abs=1e-9)
    assert torch.isfinite(gan.generator_loss(torch.tensor([-200.0]))).all()


def test_generator_gradients_are_d_and_one_minus_d():
    d = np.array([1e-4, 0.01, 0.1, 0.5, 0.9])
    g = gan.generator_gradients(d)
    np.testing.assert_allclose(g["saturating"], d, rtol=1e-9)
    np.testing.assert_allclose(g["non-saturating"], 1 - d, rtol=1e-9)
    with pytest.raises(ValueError):
        gan.generator_gradients([0.0, 0.5])


def test_lsgan_and_wgan_losses_by_hand():
    r, f = A_REAL.numpy(), A_FAKE.numpy()
    assert float(gan.lsgan_discriminator_loss(A_REAL, A_FAKE)) == pytest.approx(
        0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f**2))
    assert float(gan.lsgan_generator_loss(A_FAKE)) == pytest.approx(0.5 * np.mean((f - 1) ** 2))
    assert float(gan.wgan_critic_loss(A_REAL, A_FAKE)) == pytest.approx(f.mean() - r.mean())
    assert float(gan.wgan_generator_loss(A_FAKE)) == pytest.approx(-f.mean())
    assert set(gan.LOSSES) == {"saturating", "non-saturating", "lsgan", "wgan-gp"}


def test_gradient_penalty_by_hand_and_differentiable():
    w = torch.tensor([[3.0, 4.0]], requires_grad=True)  # gradient norm 5 everywhere

    def critic(x):
        return x @ w.T

    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    gp = gan.gradient_penalty(critic, real, fake)
    assert gp.item() == pytest.approx(16.0)
    (grad,) = torch.autograd.grad(gp, w)
    np.testing.assert_allclose(grad.numpy(), [[2 * 4 * 0.6, 2 * 4 * 0.8]], rtol=1e-6)
    # a quadratic critic C = ||x||^2 / 2 has gradient x_hat: check the interpolation by hand
    eps = torch.rand(16, 1)
    x_hat = eps * real + (1 - eps) * fake
    expected = ((x_hat.norm(dim=1) - 1) ** 2).mean()
    got = gan.gradient_penalty(lambda x: 0.5 * (x**2).sum(1), real, fake, eps)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)
    with pytest.raises(ValueError):
        gan.gradient_penalty(critic, real, fake[:3])


def test_reference_solutions_pass_the_checkers():
    assert check_optimal_discriminator(gan.optimal_discriminator).passed
    assert check_js_divergence(gan.js_divergence).passed
    assert check_gradient_penalty(gan.gradient_penalty).passed


def test_checkers_report_stubs_and_bugs():
    def stub(*args):
        raise NotImplementedError

    for check in (check_optimal_discriminator, check_js_divergence, check_gradient_penalty):
        assert "not implemented yet" in str(check(stub))
    one_sided = check_gradient_penalty(lambda c, r, f, e: 0 * gan.gradient_penalty(c, r, f, e))
    assert not one_sided.passed
    assert not check_js_divergence(lambda p, q: gan.kl_divergence(p, q)).passed


# --- mode coverage on constructed samples ----------------------------------------------------------

C = ring_centres(8, 2.0)


def test_mode_coverage_constructed():
    on_every_mode = np.repeat(C, 10, axis=0) + 0.01
    m = gan.mode_coverage(on_every_mode, C, sigma=0.05)
    assert m["modes"] == 8 and m["high_quality"] == 1.0
    np.testing.assert_array_equal(m["counts"], np.full(8, 10))
    collapsed = np.repeat(C[:1], 80, axis=0)
    assert gan.mode_coverage(collapsed, C, 0.05)["modes"] == 1
    far = np.zeros((50, 2))  # the centre of the ring: 2 away from every mode
    m = gan.mode_coverage(far, C, 0.05)
    assert m["modes"] == 0 and m["high_quality"] == 0.0 and m["counts"].sum() == 0
    # a mode with 1 of 100 samples is covered only if min_share <= 0.01
    mostly_one = np.concatenate([np.repeat(C[:1], 99, axis=0), C[1:2]])
    assert gan.mode_coverage(mostly_one, C, 0.05, min_share=0.02)["modes"] == 1
    assert gan.mode_coverage(mostly_one, C, 0.05, min_share=0.01)["modes"] == 2
    # just inside and just outside 3 sigma
    assert gan.mode_coverage(C + [0.149, 0], C, 0.05)["high_quality"] == 1.0
    assert gan.mode_coverage(C + [0.151, 0], C, 0.05)["high_quality"] == 0.0
    empty = gan.mode_coverage(np.zeros((0, 2)), C, 0.05)
    assert empty["modes"] == 0 and empty["high_quality"] == 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(0, 2**31))
def test_mode_coverage_counts_the_modes_sampled(k, seed):
    # 3 sigma holds 98.9% of a 2-D Gaussian: with 500 samples a mode, "> 0.95" is 8 standard errors away.
    x, y = sample_ring(4000, sigma=0.05, seed=seed)
    keep = y < k
    m = gan.mode_coverage(x[keep], C, 0.05)
    assert m["modes"] == k and m["high_quality"] > 0.95
    index, _ = gan.nearest_mode(x, C)
    assert (index == y).mean() > 0.99


@pytest.mark.parametrize("call", [
    lambda: gan.mode_coverage(np.zeros((5, 3)), C, 0.05),
    lambda: gan.mode_coverage(np.zeros(5), C, 0.05),
    lambda: gan.mode_coverage(np.zeros((5, 2)), C, -0.05),
    lambda: gan.mode_coverage(np.zeros((5, 2)), C, 0.05, min_share=2),
    lambda: gan.mode_coverage(np.zeros((5, 2)), np.zeros((0, 2)), 0.05),
])
def test_mode_coverage_bad_input(call):
    with pytest.raises(ValueError):
        call()


# --- the trainer and the widgets ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ring_runs():
    x, _ = sample_ring(2000, sigma=0.05, seed=0)
    g = np.linspace(-3, 3, 9)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    runs = {loss: gan.train_gan(x, loss, steps=20, snapshot_every=10, grid=grid, n_fake=100, batch_size=32)
            for loss in gan.LOSSES}
    return x, grid, runs


def test_train_gan_shapes_and_determinism(ring_runs):
    x, grid, runs = ring_runs
    for loss, run in runs.items():
        assert [s["step"] for s in run["snapshots"]] == [0, 10, 20]
        assert run["snapshots"][-1]["fake"].shape == (100, 2)
        assert run["snapshots"][-1]["D"].shape == (len(grid),)
        assert run["history"]["loss_D"].shape == (20,) and np.isfinite(run["history"]["loss_G"]).all()
    again = gan.train_gan(x, "wgan-gp", steps=20, snapshot_every=10, grid=grid, n_fake=100, batch_size=32)
    np.testing.assert_array_equal(again["snapshots"][-1]["fake"], runs["wgan-gp"]["snapshots"][-1]["fake"])
    probs = runs["non-saturating"]["snapshots"][-1]["D"]
    assert ((probs > 0) & (probs < 1)).all()


def test_conditional_gan_and_bad_input():
    x, y = sample_ring(500, sigma=0.05, seed=0)
    run = gan.train_gan(x, steps=5, labels=y, n_classes=8, snapshot_every=5, n_fake=16, batch_size=32)
    s = run["snapshots"][-1]
    np.testing.assert_array_equal(s["fake_labels"], np.arange(16) % 8)
    assert s["D"] is None and run["G"][0].in_features == 2 + 8
    with pytest.raises(ValueError):
        gan.train_gan(x, loss="hinge", steps=1)
    with pytest.raises(ValueError):
        gan.train_gan(x, steps=1, labels=y[:10], n_classes=8)
    with pytest.raises(ValueError):
        gan.train_gan(np.zeros((0, 2)), steps=1)
    with pytest.raises(ValueError):
        gan.train_gan(x, steps=10, snapshot_every=0)


def test_fit_discriminator_approaches_d_star():
    real = sample_mixture_1d(4000, [-2.0], [0.5], seed=0)
    fake = sample_mixture_1d(4000, [2.0], [0.5], seed=1)
    D = gan.fit_discriminator(real, fake, steps=200)
    with torch.no_grad():
        d = torch.sigmoid(D(torch.tensor([[-2.0], [0.0], [2.0]])))[:, 0].numpy()
    assert d[0] > 0.95 and d[2] < 0.05 and 0.05 < d[1] < 0.95
    with pytest.raises(ValueError):
        gan.fit_discriminator(np.zeros((5, 2)), np.zeros((5, 1)))


def test_gan_zoo_explorer(ring_runs):
    from utils.widgets.gan import gan_zoo_explorer

    x, grid, runs = ring_runs
    explorer = gan_zoo_explorer(runs, C, 0.05, grid, real=x[:50])
    explorer.controls["loss"].value = "lsgan"
    explorer.controls["index"].value = 1
    assert explorer.values["loss"] == "lsgan" and explorer.values["step"] == 10
    m = gan.mode_coverage(runs["lsgan"]["snapshots"][1]["fake"], C, 0.05)
    assert explorer.values["modes covered"] == m["modes"]


def test_gan_1d_explorer():
    from utils.widgets.gan import gan_1d_explorer

    real = sample_mixture_1d(1000, [-1.0, 1.0], [0.3, 0.3], seed=0)
    x = np.linspace(-4, 4, 201)
    run = gan.train_gan(real, steps=10, z_dim=1, grid=x, snapshot_every=5, n_fake=200, batch_size=32)
    p_data = mixture_pdf_1d(x, [-1.0, 1.0], [0.3, 0.3])
    explorer = gan_1d_explorer(run, x, p_data)
    explorer.controls["index"].value = 0
    assert explorer.values["step"] == 0
    p_g = gan.kde_1d(run["snapshots"][0]["fake"][:, 0], x, 0.1)
    assert explorer.values["JSD(p_data, p_g)"] == pytest.approx(gan.js_divergence(p_data, p_g, x[1] - x[0]))
    assert 0 < explorer.values["mean D(G(z))"] < 1


# --- a generator faster than its discriminator; DCGAN's generator ----------------------------------------

def test_lr_d_sets_only_the_discriminators_learning_rate():
    x, _ = sample_ring(500, sigma=0.05, seed=0)
    kw = dict(steps=3, snapshot_every=3, n_fake=8, batch_size=16, hidden=8)
    same = gan.train_gan(x, lr=1e-3, **kw)
    explicit = gan.train_gan(x, lr=1e-3, lr_D=1e-3, **kw)
    np.testing.assert_array_equal(same["snapshots"][-1]["fake"], explicit["snapshots"][-1]["fake"])
    slow_d = gan.train_gan(x, lr=1e-3, lr_D=1e-5, **kw)
    # D's first step differs, so G's next steps do: the two runs part after the first step
    assert not np.array_equal(slow_d["snapshots"][-1]["fake"], same["snapshots"][-1]["fake"])
    # D's parameters moved by about lr_D per Adam step: 1e-5 moves them 100x less than 1e-3
    init = gan.train_gan(x, lr=1e-3, **{**kw, "steps": 0})["D"]
    moved = [sum((p - q).abs().max().item() for p, q in zip(run["D"].parameters(), init.parameters()))
             for run in (same, slow_d)]
    assert moved[1] < moved[0] / 30
    with pytest.raises(ValueError, match="lr_D"):
        gan.train_gan(x, lr_D=0.0, **kw)


@pytest.mark.parametrize("size,kernel,stride,padding,output_padding", [
    (1, 4, 1, 0, 0), (4, 4, 2, 1, 0), (7, 3, 2, 1, 1), (5, 5, 3, 2, 2), (2, 1, 1, 0, 0)])
def test_conv_transpose_size_matches_torch(size, kernel, stride, padding, output_padding):
    layer = torch.nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding)
    out = layer(torch.zeros(1, 1, size, size))
    assert out.shape[-1] == gan.conv_transpose_size(size, kernel, stride, padding, output_padding)
    # and it inverts the convolution's size formula
    conv = torch.nn.Conv2d(1, 1, kernel, stride, padding)
    assert conv(out).shape[-1] == size


def test_dcgan_generator_shapes_layers_and_parameters():
    G = gan.dcgan_generator()
    trace = gan.shape_trace(G, torch.randn(2, 100, 1, 1))
    sizes = [shape for name, shape in trace if name == "input" or "ConvTranspose2d" in name]
    assert sizes == [(2, 100, 1, 1), (2, 1024, 4, 4), (2, 512, 8, 8), (2, 256, 16, 16), (2, 128, 32, 32),
                     (2, 3, 64, 64)]
    kinds = [type(m).__name__ for m in G]
    assert kinds[-2:] == ["ConvTranspose2d", "Tanh"] and kinds.count("BatchNorm2d") == 4  # no BN on the output
    weights = 16 * (100 * 1024 + 1024 * 512 + 512 * 256 + 256 * 128 + 128 * 3)  # 4x4 kernels, no biases
    assert sum(p.numel() for p in G.parameters()) == weights + 2 * (1024 + 512 + 256 + 128)
    assert G.training  # shape_trace restored the mode
    with torch.no_grad():
        out = G(torch.randn(3, 100, 1, 1))
    assert out.abs().max() <= 1
    small = gan.dcgan_generator(z_dim=8, widths=(16, 8), channels=1)
    assert small(torch.randn(2, 8, 1, 1)).shape == (2, 1, 16, 16)


def test_dcgan_and_trace_bad_input():
    for kwargs in (dict(widths=()), dict(widths="abc"), dict(widths=(8, 0)), dict(z_dim=0), dict(channels=2.5)):
        with pytest.raises(ValueError):
            gan.dcgan_generator(**kwargs)
    with pytest.raises(ValueError, match="model"):
        gan.shape_trace(torch.nn.Linear(2, 2), torch.zeros(1, 2))
    with pytest.raises(ValueError, match="x"):
        gan.shape_trace(torch.nn.Sequential(torch.nn.Linear(2, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="output_padding"):
        gan.conv_transpose_size(4, 4, 2, 1, output_padding=2)
    with pytest.raises(ValueError, match="padding"):
        gan.conv_transpose_size(1, 1, 1, 1)


def test_the_package_re_exports_every_public_name_of_its_files():
    # utils/gan/ is split by topic: `from utils.gan import train_gan` must keep working for every public name
    import importlib
    import inspect
    import pkgutil

    for info in pkgutil.iter_modules(gan.__path__):
        module = importlib.import_module(f"utils.gan.{info.name}")
        defined = {name for name, obj in vars(module).items() if not name.startswith("_") and not inspect.ismodule(obj)
                   and (getattr(obj, "__module__", None) == module.__name__ or name.isupper())}
        assert defined <= set(gan.__all__), f"utils.gan does not re-export {sorted(defined - set(gan.__all__))}"
        assert all(getattr(gan, name) is getattr(module, name) for name in defined)
