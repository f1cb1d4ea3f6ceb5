"""utils.checks.vit: the reference solutions pass; typical wrong solutions fail on the case that names their bug."""

import torch

from utils.blocks import vit as V
from utils.checks.vit import check_multi_head_attention, check_patchify


def patchify_reference(x, P):
    B, C, H, W = x.shape
    x = x.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, (H // P) * (W // P), C * P * P)


def attention_reference(x, w_qkv, b_qkv, w_out, b_out, num_heads, scale_by_head=True, reshape_straight=False,
                        softmax_dim=-1):
    B, T, D = x.shape
    d = D // num_heads
    q, k, v = (x @ w_qkv.T + b_qkv).split(D, dim=-1)
    if reshape_straight:  # the classic bug: (B, T, D) -> (B, h, T, d) without going through (B, T, h, d)
        q, k, v = (t.reshape(B, num_heads, T, d) for t in (q, k, v))
    else:
        q, k, v = (t.reshape(B, T, num_heads, d).transpose(1, 2) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / (d if scale_by_head else D) ** 0.5
    y = (scores.softmax(softmax_dim) @ v).transpose(1, 2).reshape(B, T, D)
    return y @ w_out.T + b_out


def stub(*args):
    raise NotImplementedError


def test_patchify_reference_and_library_pass():
    assert check_patchify(patchify_reference).passed
    assert check_patchify(V.patchify).passed


def test_patchify_wrong_solutions_fail_where_expected():
    # (P, P, C) order inside a patch (einops "b c (h p1) (w p2) -> b (h w) (p1 p2 c)")
    def channels_last(x, P):
        B, C, H, W = x.shape
        x = x.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 3, 5, 1)
        return x.reshape(B, -1, P * P * C)

    report = check_patchify(channels_last)
    assert "channels flattened channel by channel" in report.failures
    assert "2 x 2 patches in raster order" not in report.failures  # one channel: the order inside is the same

    # a plain reshape without permuting: rows of pixels, not square patches
    def no_permute(x, P):
        B, C, H, W = x.shape
        return x.reshape(B, (H // P) * (W // P), C * P * P)

    report = check_patchify(no_permute)
    assert "2 x 2 patches in raster order" in report.failures and "the image is one patch" not in report.failures

    # the grid width taken from H
    def square_only(x, P):
        B, C, H, W = x.shape
        x = x.reshape(B, C, H // P, P, H // P, P).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(B, -1, C * P * P)

    report = check_patchify(square_only)
    assert "a wide image, 4 x 8" in report.failures and len(report.failures) == 1
    assert check_patchify(stub).not_implemented


def test_attention_reference_and_library_module_pass():
    assert check_multi_head_attention(attention_reference).passed

    def library(x, w_qkv, b_qkv, w_out, b_out, num_heads):
        attn = V.MultiHeadSelfAttention(x.shape[-1], num_heads).double()
        with torch.no_grad():
            attn.qkv.weight.copy_(w_qkv), attn.qkv.bias.copy_(b_qkv)
            attn.proj.weight.copy_(w_out), attn.proj.bias.copy_(b_out)
            return attn(x)

    assert check_multi_head_attention(library).passed


def test_attention_wrong_solutions_fail_where_expected():
    report = check_multi_head_attention(lambda *a: attention_reference(*a, scale_by_head=False))
    assert "scale by sqrt(d_head), not sqrt(D)" in report.failures
    assert "one head: softmax(Q K^T / sqrt(D)) V" not in report.failures  # one head: d_head == D

    report = check_multi_head_attention(lambda *a: attention_reference(*a, reshape_straight=True))
    assert "more tokens than head width (reshape order)" in report.failures
    assert "one head: softmax(Q K^T / sqrt(D)) V" not in report.failures and "one token attends only to itself" not in report.failures

    report = check_multi_head_attention(lambda *a: attention_reference(*a, softmax_dim=-2))  # softmax over queries
    assert "one head: softmax(Q K^T / sqrt(D)) V" in report.failures
    assert check_multi_head_attention(stub).not_implemented


def test_checker_reports_are_short():
    assert len(str(check_patchify(lambda x, P: None)).splitlines()) < 40
    assert len(str(check_multi_head_attention(lambda *a: a[0])).splitlines()) < 40
