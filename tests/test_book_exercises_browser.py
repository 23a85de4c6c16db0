"""The built 6.7 page (_build/html/notebooks/6_7_exercises.html, from `make book`) in headless
Chromium: the exercises and solutions of sphinx-exercise (issue 16).

- One solution block per exercise, in the exercises' order, right after its exercise; its
  title "解答：练习 6.N.M：…" links back to the exercise.
- Each block holds the solution's code cells with their outputs, as many as the notebook's
  solution has (from {solution-start} to {solution-end}); no other code cell is on the page
  but the set-up cells outside the solutions.
- Collapsed by default: the title shows, the text and code do not. Opening a block (a click
  on its title) shows its text and code.
- The titles read "练习 6.N.M：…" with the number of the label ex-6-N-M: no space before "：",
  none leading.
- Screenshots (desktop and 390 px wide, closed and open) go to _build/screenshots/.

D2L_BOOK_HTML=<dir> points the test at another build, as for tests/test_book_browser.py,
whose driver and server fixtures this file uses. Without Chromium, chromedriver or selenium
the tests skip and say why.
"""
from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser

# The build, the window sizes and the browser's set-up (its server and driver fixtures) are
# tests/test_book_browser.py's: one place for them.
from test_book_browser import (DESKTOP, HTML, PHONE, ROOT, SHOTS, _screenshot, _set_viewport,  # noqa: E402,F401
                               driver, server)

NOTEBOOK = ROOT / "notebooks" / "6_7_exercises.ipynb"
PAGE = "notebooks/6_7_exercises.html"

# The page loaded, MathJax done and sphinx-togglebutton's buttons in place (or why not).
WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function wait() {
  const ready = document.readyState === "complete";
  const math = !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise);
  const toggles = document.querySelectorAll("div.solution .toggle-button").length > 0;
  if (ready && math && toggles) {
    Promise.resolve(window.MathJax ? window.MathJax.startup.promise : null)
      .then(() => document.fonts.ready).then(() => done("ok"), (e) => done("MathJax: " + e));
    return;
  }
  if (Date.now() - t0 > 45000) return done(`timeout: ready=${ready} math=${!!math} toggles=${toggles}`);
  setTimeout(wait, 100);
})();
"""

# Per solution block: what a reader sees of it.
SOLUTIONS = """
const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
return [...document.querySelectorAll("div.solution")].map((sol) => {
  const title = sol.querySelector(":scope > p.admonition-title");
  const link = title && title.querySelector("a.reference");
  const cells = [...sol.querySelectorAll("div.cell")];
  const prev = sol.previousElementSibling;
  return {
    id: sol.id,
    classes: [...sol.classList],
    title: title ? title.textContent.trim() : null,
    title_visible: visible(title),
    href: link ? link.getAttribute("href") : null,
    previous_exercise: prev && prev.classList.contains("exercise") ? prev.id : null,
    text_visible: [...sol.querySelectorAll(":scope > section > p")].some(visible),
    cells: cells.map((c) => ({
      code: (c.querySelector(".cell_input pre") || {textContent: ""}).textContent,
      code_visible: visible(c.querySelector(".cell_input pre")),
      outputs: c.querySelectorAll(".cell_output > *").length,
    })),
  };
});
"""

EXERCISES = """
return [...document.querySelectorAll("div.exercise")].map((ex) => ({
  id: ex.id,
  title: ex.querySelector(":scope > p.admonition-title").textContent.trim(),
  number: (ex.querySelector(":scope > p.admonition-title > span.caption-number") || {}).textContent,
}));
"""

CELLS_OUTSIDE = """
return [...document.querySelectorAll("div.cell")].filter((c) => !c.closest("div.solution"))
  .map((c) => (c.querySelector(".cell_input pre") || {textContent: ""}).textContent.slice(0, 60));
"""


def _source(cell) -> str:
    return "".join(cell["source"])


def _notebook_solutions() -> dict[str, list[dict]]:
    """label -> the code cells of its solution: [{'first': first code line, 'outputs': n}]."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    solutions, current = {}, None
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            start = re.match(r"```\{solution-start\} (ex-[\w-]+)", text)
            if start:
                current = solutions.setdefault(start.group(1), [])
            elif text.startswith("```{solution-end}"):
                current = None
        elif current is not None:
            lines = [line for line in text.splitlines() if line.strip()]
            current.append({"first": lines[0].strip() if lines else "", "outputs": len(cell["outputs"])})
    return solutions




def _load(drv, server, size=DESKTOP, mobile=False):
    _set_viewport(drv, size, mobile)
    drv.get(server + PAGE)
    state = drv.execute_async_script(WAIT_FOR_PAGE)
    assert state == "ok", f"{PAGE}: {state}"


def _open_all(drv):
    """Click the title of every collapsed solution, as a reader opens it."""
    drv.execute_script("""
      document.querySelectorAll("div.solution.toggle-hidden > p.admonition-title")
        .forEach((t) => t.click());""")


# ---------------------------------------------------------------- tests


def test_one_solution_block_per_exercise_holding_its_code(server, driver):
    _load(driver, server)
    exercises = driver.execute_script(EXERCISES)
    solutions = driver.execute_script(SOLUTIONS)
    expected = _notebook_solutions()
    assert [e["id"] for e in exercises] == list(expected), "the exercises and their labels, in order"
    assert len(solutions) == len(exercises)
    for exercise, solution in zip(exercises, solutions):
        label = exercise["id"]
        assert solution["id"] == f"{label}-solution"
        assert solution["previous_exercise"] == label, f"{label}: its solution does not follow it"
        assert "dropdown" in solution["classes"]
        assert solution["href"] == f"#{label}", f"{label}: the solution's title links to {solution['href']}"
        cells, want = solution["cells"], expected[label]
        assert len(cells) == len(want), f"{label}: {len(cells)} code cells in the block, notebook {len(want)}"
        for cell, nb_cell in zip(cells, want):
            assert nb_cell["first"] in cell["code"], f"{label}: code cell {nb_cell['first']!r} not in the block"
            assert (cell["outputs"] > 0) == (nb_cell["outputs"] > 0), f"{label}: outputs of {nb_cell['first']!r}"
    outside = driver.execute_script(CELLS_OUTSIDE)
    nb_cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    inside = sum(len(v) for v in expected.values())
    code = len([c for c in nb_cells if c["cell_type"] == "code"])
    assert len(outside) == code - inside, f"code cells outside the solutions: {outside}"


def test_solutions_are_collapsed_and_open_on_a_click(server, driver):
    _load(driver, server)
    closed = driver.execute_script(SOLUTIONS)
    for sol in closed:
        assert "toggle-hidden" in sol["classes"], f"{sol['id']}: not collapsed"
        assert sol["title_visible"], f"{sol['id']}: title hidden"
        assert not sol["text_visible"], f"{sol['id']}: its text shows while collapsed"
        assert not any(c["code_visible"] for c in sol["cells"]), f"{sol['id']}: its code shows while collapsed"
    # one block opened by a click on its title (as a reader does): only that one opens
    driver.execute_script('document.querySelector("#ex-6-1-3-solution > p.admonition-title").click()')
    after = {s["id"]: s for s in driver.execute_script(SOLUTIONS)}
    opened = after["ex-6-1-3-solution"]
    assert "toggle-hidden" not in opened["classes"] and opened["text_visible"]
    assert opened["cells"] and all(c["code_visible"] for c in opened["cells"])
    assert all("toggle-hidden" in s["classes"] for i, s in after.items() if i != "ex-6-1-3-solution")
    _open_all(driver)
    for sol in driver.execute_script(SOLUTIONS):
        assert sol["text_visible"] and all(c["code_visible"] for c in sol["cells"]), f"{sol['id']}: did not open"


def test_titles_read_the_chinese_way(server, driver):
    _load(driver, server)
    for exercise in driver.execute_script(EXERCISES):
        n, m = exercise["id"].split("-")[2:]
        assert exercise["number"] == f"练习 6.{n}.{m}", exercise
        assert re.match(rf"练习 6\.{n}\.{m}：\S", exercise["title"]), exercise["title"]
    for sol in driver.execute_script(SOLUTIONS):
        n, m = sol["id"].split("-")[2:4]
        assert re.match(rf"解答：练习 6\.{n}\.{m}：\S", sol["title"]), sol["title"]
    titles = [e["title"] for e in driver.execute_script(EXERCISES)] + \
             [s["title"] for s in driver.execute_script(SOLUTIONS)]
    assert not [t for t in titles if re.search(r"\s：|：\s|\(|\)", t)], "a stray space or bracket in a title"


@pytest.mark.parametrize("size, mobile, name", [(DESKTOP, False, "desktop"), (PHONE, True, "phone")])
def test_screenshots_closed_and_open(server, driver, size, mobile, name):
    _load(driver, server, size, mobile)
    no_overflow = "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    driver.execute_script('document.getElementById("ex-6-1-3").scrollIntoView()')
    _screenshot(driver, SHOTS / f"6_7_exercises-ex-6-1-3-closed-{name}.png", size, mobile, full=False)
    _screenshot(driver, SHOTS / f"6_7_exercises-solutions-closed-{name}.png", size, mobile)
    assert driver.execute_script(no_overflow), f"{name}: the page scrolls sideways (closed)"
    _open_all(driver)
    driver.execute_script('document.getElementById("ex-6-1-3").scrollIntoView()')
    _screenshot(driver, SHOTS / f"6_7_exercises-ex-6-1-3-open-{name}.png", size, mobile, full=False)
    _screenshot(driver, SHOTS / f"6_7_exercises-solutions-open-{name}.png", size, mobile)
    assert driver.execute_script(no_overflow), f"{name}: the page scrolls sideways (open)"
