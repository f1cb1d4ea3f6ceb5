"""The whiteboard checkers of the GAN notebooks: one training step (notebook 18) and the WGAN-GP critic loss
(notebook 19). The reference solutions pass; typical wrong solutions fail on the case that names their mistake."""

import torch

from utils.checks import check_gan_training_step, check_wgan_critic_loss

bce = torch.nn.functional.binary_cross_entropy_with_logits


def make_step(detach=True, retain=False, saturating=False, zero_grad=True, d_first=True):
    def my_train_step(G, D, opt_G, opt_D, real, z):
        fake = G(z)

        def g_step():
            logits = D(fake)
            loss = torch.log1p(-torch.sigmoid(logits)).mean() if saturating else bce(logits, torch.ones_like(logits))
            if zero_grad:
                opt_G.zero_grad()
            loss.backward()
            opt_G.step()
            return loss

        if not d_first:
            loss_G = g_step()
        real_logits, fake_logits = D(real), D(fake.detach() if detach else fake)
        loss_D = bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))
        if zero_grad:
            opt_D.zero_grad()
        loss_D.backward(retain_graph=retain)
        opt_D.step()
        if d_first:
            loss_G = g_step()
        return loss_D.item(), loss_G.item()

    return my_train_step


def failed(report):
    return [r.case.name for r in report.results if r.status != "ok"]


def test_reference_training_step_passes():
    report = check_gan_training_step(make_step())
    assert report.passed, str(report)


def test_training_step_mistakes_fail_where_expected():
    # no detach (the graph kept alive so that it runs): the D step back-propagates through G
    assert failed(check_gan_training_step(make_step(detach=False, retain=True))) == [
        "no gradient into G during the D step"]
    report = check_gan_training_step(make_step(saturating=True))
    assert "the G step" in failed(report) and "saturating loss" in str(report)
    assert failed(check_gan_training_step(make_step(zero_grad=False))) == ["two steps in a row"]
    report = check_gan_training_step(make_step(d_first=False))
    assert "the G step" in failed(report) and "before its update" in str(report)


def test_training_step_stub_is_not_implemented():
    def my_train_step(G, D, opt_G, opt_D, real, z):
        raise NotImplementedError

    assert check_gan_training_step(my_train_step).not_implemented


def make_critic_loss(sign=1.0, one_sided=False, create_graph=True, swap_eps=False):
    def my_critic_loss(critic, real, fake, eps, lam=10.0):
        wasserstein = sign * (critic(fake).mean() - critic(real).mean())
        w = (1 - eps) if swap_eps else eps
        x_hat = (w * real + (1 - w) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=create_graph)
        gap = grad.norm(2, dim=1) - 1
        return wasserstein + lam * ((torch.relu(gap) if one_sided else gap) ** 2).mean()

    return my_critic_loss


def test_reference_critic_loss_passes():
    report = check_wgan_critic_loss(make_critic_loss())
    assert report.passed, str(report)


def test_critic_loss_mistakes_fail_where_expected():
    assert "1-Lipschitz linear critic" in failed(check_wgan_critic_loss(make_critic_loss(sign=-1.0)))
    assert failed(check_wgan_critic_loss(make_critic_loss(one_sided=True))) == ["flat critic: the penalty is two-sided"]
    assert failed(check_wgan_critic_loss(make_critic_loss(create_graph=False))) == ["back-propagates to the critic"]
    swapped = failed(check_wgan_critic_loss(make_critic_loss(swap_eps=True)))
    assert "eps = 1 gives the real points" in swapped and "curved critic: where x_hat is" in swapped
