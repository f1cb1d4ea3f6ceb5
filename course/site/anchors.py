"""Heading anchors as JupyterLab writes them, so a notebook's links work unchanged on the site.

A notebook links a section as ``#3.-Proof:-three-independent-references`` (the heading's text with spaces
replaced by ``-``; JupyterLab keeps case and punctuation). MyST calls this function for every heading
(``myst_heading_slug_func`` in ``conf.py``), so ``[...](#3.-Proof:-...)`` and ``[...](01_iou.ipynb#3.-Proof:-...)``
resolve to the right section of the site.
"""


def jupyterlab_anchor(text):
    """``"3. Proof: three references"`` -> ``"3.-Proof:-three-references"`` (the heading's plain text)."""
    return "-".join(text.strip().split(" "))
