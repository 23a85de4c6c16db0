"""The Animator in its three places: a live Jupyter kernel, headless execution, a script."""
import base64
import hashlib
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

ANIMATE = textwrap.dedent("""
    import d2lmini as d2l
    animator = d2l.Animator(xlabel='epoch', xlim=[1, 3], legend=['train loss', 'test acc'])
    for epoch in range(3):
        for step in (0.5, 1.0):
            animator.add(epoch + step, (1.0 / (epoch + step), None))
        animator.add(epoch + 1, (None, 0.5 + 0.1 * epoch))
""")
UPDATES = 9  # one add() call per update: 3 epochs x 3 calls


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="python3")
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run_in_kernel(client, code):
    """Execute code and return the iopub messages that belong to it."""
    msg_id = client.execute(code)
    messages = []
    while True:
        msg = client.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
        messages.append(msg)


def test_live_jupyter_updates_one_display_in_place(kernel):
    messages = run_in_kernel(kernel, ANIMATE)
    types = [m["msg_type"] for m in messages if m["msg_type"] not in ("status", "execute_input")]
    assert "error" not in types, messages
    assert types == ["display_data"] + ["update_display_data"] * (UPDATES - 1)
    ids = {m["content"]["transient"]["display_id"] for m in messages if "transient" in m["content"]}
    assert len(ids) == 1  # every update targets the first display
    for m in messages:
        if m["msg_type"].endswith("display_data"):
            # vector, as every d2lmini figure: SVG (web, Jupyter) and PDF (the LaTeX book);
            # no "<Figure size ...>" text
            assert list(m["content"]["data"]) == ["image/svg+xml", "application/pdf"]
    assert "clear_output" not in types


def test_headless_execution_keeps_one_final_figure(tmp_path):
    nb = nbformat.v4.new_notebook()
    final = "import hashlib; print(hashlib.sha256(animator._bundle()['application/pdf'].encode()).hexdigest())"
    nb.cells = [nbformat.v4.new_code_cell(ANIMATE), nbformat.v4.new_code_cell(final)]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1 and outputs[0].output_type == "display_data"
    assert list(outputs[0].data) == ["image/svg+xml", "application/pdf"]
    assert base64.b64decode(outputs[0].data["application/pdf"]).startswith(b"%PDF")
    assert "<svg" in outputs[0].data["image/svg+xml"]
    # The kept figure is the final state, not the first draw.
    kept = hashlib.sha256(outputs[0].data["application/pdf"].encode()).hexdigest()
    assert nb.cells[1].outputs[0].text == kept + "\n"


def test_plain_script_prints_one_line_per_epoch_and_saves(tmp_path):
    target = tmp_path / "curve.png"
    script = ANIMATE + f"\nanimator.save({str(target)!r})\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "epoch 1: train loss 1.000, test acc 0.500",
        "epoch 2: train loss 0.500, test acc 0.600",
        "epoch 3: train loss 0.333, test acc 0.700",
    ]
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert done.stderr == ""


def test_plot_confusion_matrix_writes_every_count():
    import d2lmini as d2l
    import pytest
    import torch
    M = torch.tensor([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    fig = d2l.plot_confusion_matrix(M, ["a", "b", "c"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [str(v) for v in M.flatten().tolist()]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="square with one row per label"):
        d2l.plot_confusion_matrix(M[:2], ["a", "b", "c"])
