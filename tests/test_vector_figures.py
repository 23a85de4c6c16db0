"""Vector figures (issue 16): every figure is stored as SVG and PDF, the same bytes on every run,
and every d2lmini figure fits the printed page at 100 % with text of at least 7 pt.

Print sizes: the LaTeX text is 166 mm (6.5 in) wide and an image may be at most 0.42 of the
text height (4.1 in) tall; a larger figure is scaled down with its text. A figure that fits
``plotting.PRINT_WIDTH_IN`` x ``plotting.PRINT_HEIGHT_IN`` prints at its natural size, so the
figures of one kind (one grid cell, one panel, one image size) share one scale.
"""
import base64
import io
import os
import re
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

import d2lmini as d2l  # noqa: E402
from d2lmini import plotting  # noqa: E402

FIGURE = textwrap.dedent("""
    import d2lmini as d2l
    d2l.plt.figure(figsize=(2, 1.5))
    d2l.plt.plot([1, 2, 3], [0.2, 0.5, 0.4], label='test acc')
    d2l.plt.xlabel('epoch')
    d2l.plt.legend()
    d2l.plt.show()
""")


def run_notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


@pytest.fixture(scope="module")
def two_runs():
    """The same figure drawn in two separate kernels (two processes)."""
    return [run_notebook(FIGURE, "import os; print(os.environ.get('SOURCE_DATE_EPOCH'))")
            for _ in range(2)]


def test_a_kernel_stores_svg_and_pdf(two_runs):
    nb = two_runs[0]
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"]  # nothing on stderr or stdout
    data = outputs[0].data
    assert set(data) == {"text/plain", "image/svg+xml", "application/pdf"}
    assert data["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in data["image/svg+xml"]
    pdf = base64.b64decode(data["application/pdf"])
    assert pdf.startswith(b"%PDF")
    # the plot text stays text: TrueType fonts (pdf.fonttype 42), not Type 3 glyph procedures
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert nb.cells[1].outputs[0].text == "0\n"


def test_the_bytes_are_the_same_from_run_to_run(two_runs):
    first, second = (nb.cells[0].outputs[0].data for nb in two_runs)
    assert first["image/svg+xml"] == second["image/svg+xml"]
    assert first["application/pdf"] == second["application/pdf"]


def test_plain_python_sets_nothing():
    """No kernel: importing d2lmini changes no format, rcParam or environment variable."""
    script = textwrap.dedent("""
        import os, matplotlib
        before = dict(matplotlib.rcParams)
        import d2lmini
        assert dict(matplotlib.rcParams) == before
        print(os.environ.get('SOURCE_DATE_EPOCH'))
    """)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**env, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None\n" and done.stderr == ""


def test_vector_bytes_have_no_date_and_repeat():
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1])
    svg, pdf = (plotting.vector_bytes(fig, fmt) for fmt in ("svg", "pdf"))
    assert svg == plotting.vector_bytes(fig, "svg") and pdf == plotting.vector_bytes(fig, "pdf")
    assert b"<dc:date>" not in svg and b"/CreationDate" not in pdf
    plt.close(fig)


# ---------------------------------------------------------------- printed sizes

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
X2, K2 = torch.stack([X, X + 1]), torch.stack([K, K + 1])
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
           "ankle boot"]


def study_figure():
    rows = d2l.read_lenet_study()
    return d2l.plot_lenet_study(rows, {
        "lr 0.1": ["sigmoid-avg-lr0.1", "sigmoid-max-lr0.1", "relu-avg-lr0.1", "relu-max-lr0.1"],
        "lr 0.9": ["sigmoid-avg-lr0.9", "sigmoid-max-lr0.9", "relu-avg-lr0.9", "relu-max-lr0.9"],
        "lr 0.2 and Adam": ["sigmoid-avg-lr0.2", "relu-max-lr0.2", "sigmoid-avg-adam0.001"],
        "MLP and LeNet": ["mlp-lr0.1", "mlp-lr0.5", "sigmoid-avg-lr0.9", "relu-max-lr0.2"]})


def animator_figure():
    animator = d2l.Animator(xlabel="epoch", xlim=[0, 10], figsize=(6, 3.6),
                            legend=["train loss", "train acc", "test acc"])
    animator.X, animator.Y = [[1, 2], [1, 2], [1, 2]], [[1.0, 0.5], [0.4, 0.8], [0.5, 0.8]]
    animator._draw()
    return animator.fig


# the book's figures, drawn by the helpers with the book's arguments
BOOK_FIGURES = {
    "6.2 plot_corr2d": lambda: d2l.plot_corr2d(X, K),
    "6.2 plot_receptive_field": lambda: d2l.plot_receptive_field(X, K),
    "6.3 plot_padding": lambda: d2l.plot_padding(X, K, padding=1),
    "6.3 plot_stride": lambda: d2l.plot_stride(X, K, padding=1, stride=(3, 2)),
    "6.4 plot_corr2d_multi_in": lambda: d2l.plot_corr2d_multi_in(X2, K2),
    "6.4 plot_conv1x1": lambda: d2l.plot_conv1x1(torch.randint(0, 5, (3, 3, 3)).float(),
                                                 torch.tensor([[1.0, 0, 2], [-1, 1, 0]]).reshape(2, 3, 1, 1)),
    "6.5 plot_pool2d": lambda: d2l.plot_pool2d(X, (2, 2), "max"),
    "6.6 plot_lenet": lambda: d2l.plot_lenet(),
    "6.6 plot_lenet relu": lambda: d2l.plot_lenet(d2l.lenet(torch.nn.ReLU, torch.nn.MaxPool2d)),
    "6.6 training curves": animator_figure,
    "6.6 plot_lenet_study": study_figure,
    "6.6 plot_confusion_matrix": lambda: d2l.plot_confusion_matrix(torch.full((10, 10), 1000), CLASSES),
}


def printed(fig):
    """(width, height) in inches as the inline backend saves it (tight box), and the smallest text."""
    pdf = io.BytesIO()
    fig.savefig(pdf, format="pdf", bbox_inches="tight")
    box = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", pdf.getvalue())
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return float(box.group(1)) / 72, float(box.group(2)) / 72, min(sizes)


@pytest.mark.parametrize("name", BOOK_FIGURES)
def test_book_figures_print_at_100_percent_with_7pt_text(name):
    width, height, smallest = printed(BOOK_FIGURES[name]())
    plt.close("all")
    assert width <= plotting.PRINT_WIDTH_IN, f"{name}: {width:.2f} in wide, scaled down in print"
    assert height <= plotting.PRINT_HEIGHT_IN, f"{name}: {height:.2f} in tall, scaled down in print"
    assert smallest >= plotting.MIN_TEXT_PT, f"{name}: {smallest} pt text"


def test_print_limits_match_the_latex_page():
    # A4 with 22 mm side and 24 mm top/bottom margins: 166 mm x 249 mm of text; images at most
    # 0.42 of the text height (the LaTeX edition's settings)
    assert plotting.PRINT_WIDTH_IN <= 166 / 25.4
    assert plotting.PRINT_HEIGHT_IN <= 0.42 * 249 / 25.4
    assert plotting.MIN_TEXT_PT == 7
