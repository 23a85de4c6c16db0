"""Work three exercises of student/6_7_exercises.ipynb in a Jupyter kernel, cell by cell."""
import json, sys, queue
from jupyter_client.manager import start_new_kernel

NB = "/work/main/student/6_7_exercises.ipynb"
ANSWERS = {
    "ex-6-2-1-stub": [
        # first try: (3) "transposing K transposes the result"
        """X = torch.tril(torch.ones(8, 8))
K = torch.tensor([[1.0, -1.0]])
Y1 = d2l.corr2d(X, K)
Y2 = d2l.corr2d(X.T, K)
Y3 = d2l.corr2d(X, K).T
""",
        """X = torch.tril(torch.ones(8, 8))
K = torch.tensor([[1.0, -1.0]])
Y1 = d2l.corr2d(X, K)
Y2 = d2l.corr2d(X.T, K)
Y3 = d2l.corr2d(X, K.T)
"""],
    "ex-6-4-4-stub": [
        """def flops_1x1(c_i, c_o, n_h, n_w):
    # each output element: c_i products summed
    return c_i * c_o * n_h * n_w
""",
        """def flops_1x1(c_i, c_o, n_h, n_w):
    # c_i multiply-adds per output element, a multiply-add = 2 FLOPs
    return 2 * c_i * c_o * n_h * n_w
"""],
    "ex-6-5-3-stub": [
        """def pool_cost(c_i, n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    o_h = (n_h + 2 * p_h - k_h) // s_h + 1
    o_w = (n_w + 2 * p_w - k_w) // s_w + 1
    return (c_i, o_h, o_w), c_i * o_h * o_w * k_h * k_w
""",
        """def pool_cost(c_i, n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    o_h = (n_h + p_h - k_h) // s_h + 1      # p_h is both sides together
    o_w = (n_w + p_w - k_w) // s_w + 1
    return (c_i, o_h, o_w), c_i * o_h * o_w * k_h * k_w
"""],
}

km, kc = start_new_kernel(kernel_name="python3", cwd="/work/main/student")

def run(code):
    msg_id = kc.execute(code)
    text, error = [], None
    while True:
        msg = kc.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "stream":
            text.append(c["text"])
        elif t in ("execute_result", "display_data"):
            text.append(c["data"].get("text/plain", ""))
        elif t == "error":
            error = f"{c['ename']}: {c['evalue']}"
        elif t == "status" and c["execution_state"] == "idle":
            break
    return "".join(text), error

nb = json.load(open(NB))
cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
ids = [c["id"] for c in cells]
for cell in cells:
    src = "".join(cell["source"])
    if cell["id"] in ANSWERS:
        check = "".join(cells[ids.index(cell["id"].replace("-stub", "-check"))]["source"])
        out, err = run(src)           # the stub as it is
        out, err = run(check)
        print(f"##### {cell['id']}: the stub as handed out, then its check\n{out}{err or ''}")
        for n, answer in enumerate(ANSWERS[cell["id"]]):
            out, err = run(answer)
            assert err is None, err
            out, err = run(check)
            print(f"##### {cell['id']}: attempt {n + 1}\n{answer}----- check says:\n{out}{err or ''}")
        continue
    if cell["id"].replace("-check", "-stub") in ANSWERS:
        continue                       # already run above
    out, err = run(src)
    if err:
        print("ERROR in", cell["id"], err); break
kc.stop_channels(); km.shutdown_kernel()
