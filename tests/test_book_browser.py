"""The built HTML book (_build/html, from `make book`) in a real browser: headless Chromium.

For the landing page and every chapter page listed in _toc.yml: the page loads
with no JavaScript console errors (SEVERE) and loads nothing from another host;
its title is the notebook's title; every formula is typeset by the local MathJax
(no TeX error, no raw $ or \\( delimiters left in the text); every image has
loaded; the page does not scroll sideways on a phone; the Colab, download and
repository buttons point where _config.yml says. The search page finds 6.2 for
互相关 and 6.5 for 汇聚, and no search result shows raw TeX (snippet formulas are
typeset). Every figure caption reads "图 6.N.M：..." and every reference to a figure
"图 6.N.M". On a phone (390 px) no formula, table, figure or code block is wider than
the column unless it scrolls in a box of its own that shows it scrolls (a fade at the
edge, _static/cjk-math.js and custom.css), also inside the collapsed blocks once opened;
no figure is shown below MIN_FIGURE_SCALE of its own width, nor the text of an SVG figure
below MIN_FIGURE_TEXT_PX; each animation player's
buttons stay on one line. On each page with animations (d2lmini.animation), every
player's "next frame" button shows the notebook's next frame. Screenshots of every
page, at desktop and phone width, and of two frames of every animation, go to
_build/screenshots/.

D2L_BOOK_HTML=<dir> points the tests at another build of the book (for example one made
with `jupyter-book build . --path-output <out>`: then <out>/_build/html); the screenshots
then go to <out>/_build/screenshots.

Without Chromium, chromedriver or selenium the tests skip and say why.
"""
from __future__ import annotations

import base64
import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import importlib.util

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("D2L_BOOK_HTML") or ROOT / "_build" / "html").resolve()
SHOTS = HTML.parent / "screenshots"   # _build/screenshots for the default build
_spec = importlib.util.spec_from_file_location("build_pdf", ROOT / "tools" / "build_pdf.py")
_build_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build_pdf)
WAIT_FOR_MATH = _build_pdf.WAIT_FOR_MATH  # page loaded and every formula typeset, or why not
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

DESKTOP = (1280, 900)
PHONE = (390, 844)
MIN_FIGURE_SCALE = 0.8  # _static/cjk-math.js: a figure is never shown smaller on a phone
MIN_FIGURE_TEXT_PX = 8  # the smallest text of an SVG figure, as shown on a phone (CSS px)
MAX_SHOT_HEIGHT = 12000  # px; long pages are cut there

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=zh-CN",
]


def _toc_docs() -> list[str]:
    """Every page of _toc.yml in order, sections (the student edition under 6.7) included."""
    docs = [TOC["root"]]

    def walk(entries):
        for entry in entries:
            docs.append(entry["file"])
            walk(entry.get("sections", []))

    walk(TOC.get("chapters", []))
    for part in TOC.get("parts", []):
        walk(part.get("chapters", []))
    return [re.sub(r"\.(ipynb|md)$", "", d) for d in docs]


DOCS = _toc_docs()
CHAPTERS = [d for d in DOCS if d.startswith("notebooks/")]


def _source(doc: str) -> Path:
    for ext in (".ipynb", ".md"):
        if (ROOT / (doc + ext)).exists():
            return ROOT / (doc + ext)
    raise FileNotFoundError(doc)


def _expected_title(doc: str) -> str:
    """The first `# ` heading of the page's source."""
    path = _source(doc)
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", text, flags=re.M)
    assert match, f"{path.name} has no '# ' title"
    return match.group(1).strip()


def _image_outputs(doc: str) -> int:
    path = _source(doc)
    if path.suffix != ".ipynb":
        return 0
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        1
        for c in nb["cells"] if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if any(k.startswith("image/") for k in o.get("data", {}))
    )


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.skip(f"SKIPPED: no built book at {HTML}; run `make book` first (`make browser-test` does)")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    chromedriver = shutil.which("chromedriver")
    missing = [name for name, found in (("chromium", chromium), ("chromedriver", chromedriver)) if not found]
    if missing:
        pytest.skip(f"SKIPPED: browser test needs {' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("SKIPPED: browser test needs the Python package selenium (pip install -r requirements.txt)")

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    drv.set_page_load_timeout(60)
    drv.set_script_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()


# ---------------------------------------------------------------- helpers


def _set_viewport(drv, size, mobile):
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": mobile})


def _load(drv, url):
    drv.get_log("browser")  # drop what earlier pages logged
    drv.get(url)
    state = drv.execute_async_script(WAIT_FOR_MATH)  # the PDF builder's wait, shared
    assert state == "ok", f"{url}: {state}"
    drv.execute_async_script(  # images and web fonts settled, wide content marked (cjk-math.js)
        """
        const done = arguments[arguments.length - 1];
        const t0 = Date.now();
        (function wait() {
          const pending = [...document.images].filter((img) => !img.complete).length;
          const marked = !document.querySelector("article.bd-article") ||
                         document.documentElement.dataset.d2lScroll === "ready";
          if ((pending === 0 && document.fonts.status === "loaded" && marked) || Date.now() - t0 > 20000) return done();
          setTimeout(wait, 100);
        })();
        """
    )


def _severe_console_errors(drv) -> list[str]:
    return [entry["message"] for entry in drv.get_log("browser") if entry["level"] == "SEVERE"]


def _screenshot(drv, path: Path, size, mobile, full=True):
    """The whole page (up to MAX_SHOT_HEIGHT), or with full=False the viewport. For the whole
    page the viewport is made as tall as the page first, so sticky sidebars are drawn as a
    reader sees them, then set back."""
    if full:
        height = drv.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
        _set_viewport(drv, (size[0], min(max(height, size[1]), MAX_SHOT_HEIGHT)), mobile)
    try:
        shot = drv.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
    finally:
        _set_viewport(drv, size, mobile)


def _phone_layout_problems(drv) -> list[str]:
    """What is wrong with the page as now shown: content wider than the column outside a
    scroll box with a cue, figures shown below MIN_FIGURE_SCALE of their width, SVG text
    below MIN_FIGURE_TEXT_PX."""
    problems = list(drv.execute_script(WIDE_WITHOUT_SCROLL_BOX))
    shrunk = drv.execute_script(SHRUNK_FIGURES, MIN_FIGURE_SCALE)
    if shrunk:
        problems.append(f"figures shown below {MIN_FIGURE_SCALE} of their width (name, px, own px): {shrunk}")
    small = _small_figure_text(drv)
    if small:
        problems.append(f"figure text below {MIN_FIGURE_TEXT_PX} px: {small}")
    return problems


def _page_url(server, doc):
    return server + urllib.parse.quote(doc) + ".html"


# Everything in the article that is wider than the column: each must sit in a box inside
# the column that scrolls sideways (overflow-x auto/scroll) and shows a cue (a mask: the fade
# of custom.css) while it has more to show. Elements of closed blocks have no width and are
# skipped (the test opens them first).
WIDE_WITHOUT_SCROLL_BOX = """
const art = document.querySelector("article.bd-article");
const col = art.getBoundingClientRect();
const bad = [];
for (const el of art.querySelectorAll("mjx-container, table, img, pre, svg:not(mjx-container svg), .anim-buttons")) {
  const r = el.getBoundingClientRect();
  if (!r.width) continue;
  const w = Math.max(r.width, el.scrollWidth);
  const fits = r.left >= col.left - 1 && r.left + w <= col.right + 1;
  let box = el;
  while (box !== art && !(/auto|scroll/.test(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth + 1))
    box = box.parentElement;
  if (fits && box === art) continue;
  const b = box.getBoundingClientRect(), style = getComputedStyle(box);
  const cue = [style.maskImage, style.webkitMaskImage].some((m) => m && m !== "none");
  const what = el.tagName.toLowerCase() + (el.getAttribute("display") ? "[display]" : "") + " " +
               (el.textContent || el.getAttribute("src") || "").replace(/\\s+/g, " ").trim().slice(0, 40) +
               ` (${Math.round(w)} px)`;
  if (box === art) bad.push(what + ": wider than the column, no scroll box");
  else if (b.left < col.left - 1 || b.right > col.right + 1) bad.push(what + ": its scroll box is wider than the column");
  else if (!cue) bad.push(what + ": scrolls with no visible cue");
}
return bad;
"""

# Figures (cell-output images) shown below MIN_FIGURE_SCALE of their own width: the width
# the page gives them (a retina PNG's style width) or their natural width (an SVG's own).
SHRUNK_FIGURES = """
const scale = arguments[0];
return [...document.querySelectorAll("article.bd-article div.cell_output img, article.bd-article figure img")]
  .filter((img) => !img.closest(".d2l-anim") && img.getClientRects().length)
  .map((img) => {
    const own = parseFloat("d2lWidth" in img.dataset ? img.dataset.d2lWidth : img.style.width) || img.naturalWidth;
    return [img.src.split("/").pop(), Math.round(img.getBoundingClientRect().width), own];
  })
  .filter(([, shown, own]) => shown < scale * own - 1);
"""

# Each player's buttons: the distinct top offsets (one line: one value).
PLAYER_BUTTON_ROWS = """
return [...document.querySelectorAll("article.bd-article .d2l-anim .anim-buttons")].map((row) =>
  [...new Set([...row.querySelectorAll("button")].map((b) => Math.round(b.getBoundingClientRect().top)))]);
"""


# Each SVG figure shown: its file and the shown and own widths.
SVG_FIGURES = """
return [...document.querySelectorAll("article.bd-article div.cell_output img, article.bd-article figure img")]
  .filter((img) => !img.closest(".d2l-anim") && img.getClientRects().length && /\\.svg$/.test(img.src))
  .map((img) => [new URL(img.src).pathname, img.getBoundingClientRect().width,
                 parseFloat("d2lWidth" in img.dataset ? img.dataset.d2lWidth : img.style.width) || img.naturalWidth]);
"""


def _smallest_svg_text_pt(path: Path) -> float | None:
    """Matplotlib writes each text's glyphs as paths in a group scaled by fontsize / 100:
    <g transform="translate(x y) scale(0.1 -0.1)"> is 10 pt text."""
    sizes = [float(m) * 100 for m in re.findall(r'scale\(([0-9.]+) -\1\)', path.read_text(encoding="utf-8"))]
    sizes = [pt for pt in sizes if pt < 50]  # scale(1 -1) flips an image, it is no text
    return min(sizes) if sizes else None


def _small_figure_text(drv) -> list[str]:
    small = []
    for url_path, shown, own in drv.execute_script(SVG_FIGURES):
        path = HTML / urllib.parse.unquote(url_path).lstrip("/")
        pt = _smallest_svg_text_pt(path) if path.exists() else None
        if pt is not None and own:
            px = pt * 4 / 3 * shown / own
            if px < MIN_FIGURE_TEXT_PX - 0.05:  # rounding of the shown width
                small.append(f"{path.name}: {pt:g} pt text shown at {px:.1f} px")
    return small


def _open_collapsed_blocks(drv) -> int:
    """Open every collapsed block as a reader would: each <details> (hidden cells) and each
    sphinx-togglebutton toggle (the 6.7 solutions: its button); cjk-math.js then re-measures.
    Returns how many it opened."""
    return drv.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        let opened = 0;
        document.querySelectorAll("article.bd-article details:not([open])").forEach((d) => { d.open = true; opened++; });
        document.querySelectorAll("article.bd-article button.toggle-button").forEach((b) => {
          const target = document.getElementById(b.dataset.target);
          if (target && target.classList.contains("toggle-hidden")) { b.click(); opened++; }
        });
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(opened), 400)));
        """
    )


# ---------------------------------------------------------------- per page


@pytest.mark.parametrize("doc", DOCS)
def test_page(server, driver, doc):
    html_file = HTML / (doc + ".html")
    assert html_file.exists(), f"{doc} is in _toc.yml but {html_file} was not built"
    _set_viewport(driver, DESKTOP, mobile=False)
    _load(driver, _page_url(server, doc))
    errors = _severe_console_errors(driver)
    assert not errors, f"{doc}: JavaScript console errors:\n" + "\n".join(errors)

    # title: the notebook's own "# 6.N ..." heading, then the book's title
    title = _expected_title(doc)
    assert driver.title == f"{title} — {CONFIG['title']}"
    h1 = driver.execute_script("return document.querySelector('#main-content h1').innerText")
    assert h1.replace("#", "").strip() == title

    # nothing loaded from another host (the book works offline, MathJax included)
    resources = driver.execute_script("return performance.getEntriesByType('resource').map((r) => r.name)")
    foreign = [r for r in resources if not r.startswith(server)]
    assert not foreign, f"{doc}: loads from other hosts: {foreign}"

    # formulas: every .math element typeset by MathJax, no TeX errors, no raw delimiters left
    math = driver.execute_script(
        """
        const all = [...document.querySelectorAll("#main-content .math")];
        return {
          total: all.length,
          untypeset: all.filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent.slice(0, 80)),
          errors: [...document.querySelectorAll("mjx-merror")].map((e) => e.getAttribute("data-mjx-error") || e.textContent),
          mathjax_src: [...document.scripts].map((s) => s.src).filter((s) => /mathjax/i.test(s)),
        };
        """
    )
    assert not math["untypeset"], f"{doc}: formulas not typeset: {math['untypeset']}"
    assert not math["errors"], f"{doc}: MathJax errors: {math['errors']}"
    if math["total"]:
        assert math["mathjax_src"] and all(s.startswith(server + "_static/mathjax/") for s in math["mathjax_src"]), \
            f"{doc}: MathJax not served from _static: {math['mathjax_src']}"
    text = driver.execute_script(
        """
        const main = document.querySelector("#main-content").cloneNode(true);
        main.querySelectorAll("pre, code, script, style, mjx-container, .cell_input").forEach((e) => e.remove());
        return main.innerText;
        """
    )
    leftover = re.findall(r"\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\s][^$\n]{0,200}?\$", text)
    assert not leftover, f"{doc}: raw TeX left in the text: {leftover[:5]}"
    # no line break left between two Chinese characters (the browser would show it as a space)
    gaps = driver.execute_script(
        r"""
        const cjk = "[\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]";
        const gap = new RegExp(cjk + "[ \\t]*\\n\\s*" + cjk, "g");
        const found = [];
        for (const el of document.querySelectorAll("article.bd-article p, article.bd-article li")) {
          const clone = el.cloneNode(true);
          clone.querySelectorAll("ul, ol").forEach((e) => e.remove());
          clone.querySelectorAll("code, pre, .math, mjx-container").forEach((e) => e.replaceWith("x"));
          for (const m of clone.textContent.matchAll(gap)) found.push(m[0]);
        }
        return found;
        """
    )
    assert not gaps, f"{doc}: line breaks between Chinese characters: {gaps[:10]}"
    if doc.startswith("notebooks/") and doc != "notebooks/6_7_exercises":
        assert math["total"] > 0, f"{doc}: no formulas at all on a section page?"

    # images: every <img> loaded; every image output of the notebook is on the page
    images = driver.execute_script(
        "return [...document.images].map((i) => [i.currentSrc || i.src, i.complete, i.naturalWidth])"
    )
    broken = [src for src, complete, width in images if not (complete and width > 0)]
    assert not broken, f"{doc}: images that did not load: {broken}"
    in_content = driver.execute_script("return document.querySelectorAll('#main-content img').length")
    assert in_content >= _image_outputs(doc), f"{doc}: {_image_outputs(doc)} figures in the notebook, {in_content} on the page"

    # the Colab cell is in the page (and in the downloaded .ipynb) but not shown (_static/custom.css)
    if doc in CHAPTERS:
        display = driver.execute_script(
            "const c = document.querySelector('div.cell.tag_colab'); return c ? getComputedStyle(c).display : null"
        )
        assert display == "none", f"{doc}: Colab cell display is {display!r}, expected it hidden"

    # captions "图 6.N.M：text" (_ext/figure_numbers.py); references to figures "图 6.N.M"
    numbers = driver.execute_script(
        """
        return {
          captions: [...document.querySelectorAll("#main-content figcaption .caption-number")].map((e) => e.textContent),
          refs: [...document.querySelectorAll("#main-content a.reference[href*='#fig-']")].map((a) => a.textContent),
        };
        """
    )
    bad = [c for c in numbers["captions"] if not re.fullmatch(r"图 6\.\d+\.\d+：", c)]
    assert not bad, f"{doc}: figure numbers not followed by '：': {bad}"
    bad = [r for r in numbers["refs"] if not re.fullmatch(r"图 6\.\d+\.\d+", r)]
    assert not bad, f"{doc}: references to figures that do not read '图 6.N.M': {bad}"
    if doc in CHAPTERS and _image_outputs(doc):
        assert numbers["captions"], f"{doc}: figures but no numbered caption"

    name = doc.replace("/", "_")
    _screenshot(driver, SHOTS / f"{name}-desktop.png", DESKTOP, mobile=False)

    # phone width: no sideways scrolling of the whole page, and a screenshot
    _set_viewport(driver, PHONE, mobile=True)
    _load(driver, _page_url(server, doc))
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{doc}: at {PHONE[0]} px the page scrolls sideways by {overflow} px"
    # no line starts with the Chinese punctuation that follows an inline formula (_static/cjk-math.js)
    orphans = driver.execute_script(
        """
        const CLOSE = /^[，。、；：！？）」』”’》〉】]/;
        const bad = [];
        for (const math of document.querySelectorAll("article.bd-article span.math")) {
          const next = math.nextSibling;
          if (!next || next.nodeType !== Node.TEXT_NODE || !CLOSE.test(next.data)) continue;
          const range = document.createRange();
          range.setStart(next, 0);
          range.setEnd(next, 1);
          const p = range.getBoundingClientRect(), m = math.getBoundingClientRect();
          const middle = (p.top + p.bottom) / 2;
          if (middle < m.top || middle > m.bottom) bad.push(math.textContent.slice(0, 40) + next.data.slice(0, 3));
        }
        return bad;
        """
    )
    assert not orphans, f"{doc}: punctuation after a formula wrapped to the next line: {orphans[:5]}"
    # nothing wider than the column unless it scrolls in its own box with a cue; figures legible;
    # the player buttons on one line
    problems = _phone_layout_problems(driver)
    assert not problems, f"{doc}: at {PHONE[0]} px:\n" + "\n".join(problems)
    rows = driver.execute_script(PLAYER_BUTTON_ROWS)
    assert all(len(tops) == 1 for tops in rows), f"{doc}: player buttons on several lines (top offsets): {rows}"
    errors = _severe_console_errors(driver)
    assert not errors, f"{doc} (phone): JavaScript console errors:\n" + "\n".join(errors)
    _screenshot(driver, SHOTS / f"{name}-phone.png", PHONE, mobile=True)
    # the same inside the collapsed blocks, opened
    opened = _open_collapsed_blocks(driver)
    if doc == "notebooks/6_7_exercises":
        assert opened > 0, f"{doc}: no collapsed solution opened (the phone checks must see the solutions)"
    problems = _phone_layout_problems(driver)
    assert not problems, f"{doc}: at {PHONE[0]} px, in the opened collapsed blocks:\n" + "\n".join(problems)
    _set_viewport(driver, DESKTOP, mobile=False)


def _repo_parts():
    repo = CONFIG["repository"]
    url = repo["url"].rstrip("/")
    org_repo = urllib.parse.urlparse(url).path.strip("/")
    path = (repo.get("path_to_book") or "").strip("/")
    return url, org_repo, repo.get("branch", "main"), path


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_and_repository_buttons(server, driver, doc):
    _set_viewport(driver, DESKTOP, mobile=False)
    _load(driver, _page_url(server, doc))
    url, org_repo, branch, path = _repo_parts()
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    in_repo = "/".join(p for p in (path, doc + ".ipynb") if p)
    links = driver.execute_script("return [...document.querySelectorAll('a[href]')].map((a) => a.href)")

    expected_colab = f"{colab}/github/{org_repo}/blob/{branch}/{in_repo}"
    colab_links = [h for h in links if h.startswith(colab)]
    assert colab_links == [expected_colab], f"{doc}: Colab links {colab_links}, expected {expected_colab}"

    downloads = [h for h in links if h.endswith(".ipynb") and h.startswith(server)]
    assert downloads, f"{doc}: no download link for the .ipynb"
    for href in downloads:
        with urllib.request.urlopen(href) as response:
            assert response.status == 200
            assert response.read() == _source(doc).read_bytes(), f"{doc}: downloaded .ipynb differs from {doc}.ipynb"

    assert url in links, f"{doc}: no repository button linking to {url}"
    assert any(h.startswith(url + "/issues/new") for h in links), f"{doc}: no issues button"


# ---------------------------------------------------------------- search


# Waits for the results, every result's snippet and the typesetting of the snippets'
# formulas (search-snippets.js); returns each result's link, title and snippet, the snippet's
# text without its typeset formulas, and how many formulas it typeset.
SEARCH_RESULTS = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function wait() {
  const summary = document.querySelector("#search-results .search-summary");
  const items = [...document.querySelectorAll("#search-results ul.search li")];
  const ready = summary && summary.textContent.trim() && items.every((li) => li.querySelector("p.context")) &&
                !document.querySelector("#search-results .d2l-snippet-math:not(.d2l-typeset)");
  if (!ready && Date.now() - t0 < 30000) return setTimeout(wait, 200);
  done({
    summary: summary ? summary.textContent.trim() : null,
    results: items.map((li) => {
      const context = li.querySelector("p.context");
      const bare = context ? context.cloneNode(true) : null;
      if (bare) bare.querySelectorAll("mjx-container").forEach((m) => m.remove());
      return {link: li.querySelector("a").href, title: li.querySelector("a").textContent,
              snippet: context ? context.textContent : "", bare: bare ? bare.textContent : "",
              formulas: context ? context.querySelectorAll("mjx-container").length : 0};
    }),
  });
})();
"""
# TeX as a reader would see it: delimiters, commands, braced sub- and superscripts
RAW_TEX = re.compile(r"\\[()\[\]]|\\[A-Za-z]+|[_^]\{|\$")


def _search(drv, server, query):
    _set_viewport(drv, DESKTOP, mobile=False)
    _load(drv, server + "search.html?q=" + urllib.parse.quote(query))
    return drv.execute_async_script(SEARCH_RESULTS)


@pytest.mark.parametrize("query, expected", [("互相关", "notebooks/6_2_conv_layer"), ("汇聚", "notebooks/6_5_pooling")])
def test_chinese_search(server, driver, query, expected):
    if expected not in DOCS:
        pytest.fail(f"{expected} is not in _toc.yml")
    result = _search(driver, server, query)
    links = [r["link"] for r in result["results"]]
    hits = {urllib.parse.unquote(urllib.parse.urlparse(h).path).lstrip("/").removesuffix(".html") for h in links}
    assert expected in hits, f"searching {query!r} did not find {expected}: {result}"
    # each snippet quotes the page's text around the query, not its table of contents (目录)
    for r in result["results"]:
        assert query in r["snippet"] and "目录" not in r["snippet"], f"search snippet for {r['link']}: {r['snippet']!r}"
    errors = _severe_console_errors(driver)
    assert not errors, f"search page: JavaScript console errors:\n" + "\n".join(errors)
    _screenshot(driver, SHOTS / f"search-{expected.split('/')[-1]}-desktop.png", DESKTOP, mobile=False)


# Queries whose snippets hold formulas: 互相关 (the notation block, the glossary: ⋆, ∗),
# 填充 (p_h, p_w), 卷积层, 步幅; "1×1 卷积层" finds the heading 6.4.3 (a title result).
@pytest.mark.parametrize("query", ["互相关", "填充", "卷积层", "步幅", "1×1 卷积层"])
def test_search_results_show_no_raw_tex(server, driver, query):
    result = _search(driver, server, query)
    assert result["results"], f"searching {query!r} found nothing: {result}"
    raw = [(r["link"], m.group(0), r["bare"][max(m.start() - 30, 0):m.end() + 30])
           for r in result["results"] for m in RAW_TEX.finditer(r["bare"])]
    assert not raw, f"searching {query!r}: raw TeX in the snippets: {raw[:5]}"
    titles = [r["title"] for r in result["results"] if RAW_TEX.search(r["title"]) or "\\" in r["title"]]
    assert not titles, f"searching {query!r}: raw TeX in the result titles: {titles}"
    if query == "1×1 卷积层":  # the heading "6.4.3 $1\times 1$ 卷积层", found by its text form
        assert any(r["title"].endswith("6.4.3 1×1 卷积层") for r in result["results"]), result
    assert sum(r["formulas"] for r in result["results"]) > 0, \
        f"searching {query!r}: no snippet with a typeset formula (the test needs one): {result}"
    errors = _severe_console_errors(driver)
    assert not errors, f"search page: JavaScript console errors:\n" + "\n".join(errors)
    if query == "填充":
        _screenshot(driver, SHOTS / "search-formulas-desktop.png", DESKTOP, mobile=False)


def test_search_results_on_a_phone(server, driver):
    """At 390 px a snippet's formula wider than the snippet scrolls on a line of its own (with
    the fade) instead of widening the page (步幅: 6.7's output-shape formula)."""
    _set_viewport(driver, PHONE, mobile=True)
    try:
        _load(driver, server + "search.html?q=" + urllib.parse.quote("步幅"))
        result = driver.execute_async_script(SEARCH_RESULTS)
        assert result["results"] and sum(r["formulas"] for r in result["results"]) > 0, result
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"search page at {PHONE[0]} px scrolls sideways by {overflow} px"
        clipped = driver.execute_script(
            """
            const bad = [];
            for (const p of document.querySelectorAll("#search-results p.context")) {
              const right = p.getBoundingClientRect().right;
              for (const m of p.querySelectorAll(".d2l-snippet-math")) {
                if (m.getBoundingClientRect().right <= right + 1) continue;
                bad.push(m.textContent.slice(0, 40));
              }
              for (const m of p.querySelectorAll(".d2l-snippet-wide")) {
                const style = getComputedStyle(m);
                if (!/auto|scroll/.test(style.overflowX) || style.maskImage === "none") bad.push("no cue: " + m.textContent.slice(0, 40));
              }
            }
            return bad;
            """
        )
        assert not clipped, f"snippet formulas wider than the snippet at {PHONE[0]} px: {clipped}"
        _screenshot(driver, SHOTS / "search-formulas-phone.png", PHONE, mobile=True)
    finally:
        _set_viewport(driver, DESKTOP, mobile=False)


def test_search_index_titles_have_no_tex():
    """The headings stored for the result list (alltitles) hold no TeX (_ext/zh_search_terms.py)."""
    index = HTML / "searchindex.js"
    if not index.exists():
        pytest.skip(f"SKIPPED: {index} is not built; run `make book` first")
    text = index.read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1:text.rindex(")")])
    raw = [t for t in data["alltitles"] if RAW_TEX.search(t) or "\\" in t]
    assert not raw, f"search index titles with TeX: {raw}"
    assert "6.4.3 1×1 卷积层" in data["alltitles"]


# ---------------------------------------------------------------- links inside the book


class _Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("doc", DOCS)
def test_internal_links_reach_their_targets(doc):
    """Every link to another page of the book (e.g. [参考解答](6_7_exercises.ipynb#ex-6-1-1))
    points at a built page and, with a #fragment, at an element with that id."""
    page = HTML / (doc + ".html")
    if not page.exists():
        pytest.skip(f"SKIPPED: {page} is not built; run `make book` first")
    broken, count = [], 0
    for href in _parse(page).hrefs:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme or parts.netloc or not (parts.path.endswith(".html") or parts.fragment):
            continue
        target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
        if target.name == "genindex.html":
            continue
        count += 1
        if not target.exists():
            broken.append(f"{href} (no such page)")
        elif parts.fragment and urllib.parse.unquote(parts.fragment) not in _parse(target).ids:
            broken.append(f"{href} (no id {parts.fragment!r} there)")
    assert count > 0
    assert not broken, f"{doc}: broken links: {broken}"


# ---------------------------------------------------------------- animations


def _animation_html(doc: str) -> list[str]:
    """The HTML of each d2lmini animation the notebook stores, in page order."""
    path = _source(doc)
    if path.suffix != ".ipynb":
        return []
    nb = json.loads(path.read_text(encoding="utf-8"))
    pages = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            page = "".join(output.get("data", {}).get("text/html", ""))
            if page.startswith('<div class="d2l-anim">'):
                pages.append(page)
    return pages


ANIMATED = [d for d in CHAPTERS if _animation_html(d)]


def test_the_chapter_has_animations():
    assert ANIMATED == ["notebooks/6_2_conv_layer", "notebooks/6_3_padding_strides",
                        "notebooks/6_4_channels", "notebooks/6_5_pooling"]
    assert [len(_animation_html(d)) for d in ANIMATED] == [1, 1, 1, 2]


@pytest.mark.parametrize("doc", ANIMATED)
def test_animations_step_to_the_next_frame(server, driver, doc):
    """Each player starts on frame 1; its next-frame button shows frame 2 (a new picture, the
    notebook's own second frame); no console error. Two screenshots per animation."""
    from test_animation import click, embedded_frames, player_state

    stored = _animation_html(doc)
    _set_viewport(driver, DESKTOP, mobile=False)
    _load(driver, _page_url(server, doc))
    count = driver.execute_script(
        "const all = document.querySelectorAll('#main-content .d2l-anim');"
        "all.forEach((a, i) => { a.id = 'd2l-anim-' + i; });"
        "return all.length;")
    assert count == len(stored), f"{doc}: {len(stored)} animations in the notebook, {count} on the page"
    shots = SHOTS / "book-animations"
    shots.mkdir(parents=True, exist_ok=True)
    for k, page in enumerate(stored):
        section = f"d2l-anim-{k}"
        frames = embedded_frames(page)
        first_src, slider = player_state(driver, section)
        assert slider == "0" and base64.b64decode(first_src.split(",", 1)[1]) == frames[0]
        player = driver.find_element("css selector", f"#{section} .d2l-anim-player")
        driver.execute_script("arguments[0].scrollIntoView()", player)
        name = f"{doc.split('/')[-1]}-{k}"
        player.screenshot(str(shots / f"{name}-frame1.png"))
        click(driver, section, "Next frame")
        second_src, slider = player_state(driver, section)
        assert slider == "1" and second_src != first_src, f"{doc}, animation {k}: the picture did not change"
        assert base64.b64decode(second_src.split(",", 1)[1]) == frames[1]
        player.screenshot(str(shots / f"{name}-frame2.png"))
        visible = driver.execute_script(
            "const img = document.querySelector(`#${arguments[0]} .d2l-anim-player img`);"
            "const box = img.getBoundingClientRect(); return [box.width, box.height, img.naturalWidth];",
            section)
        assert visible[0] > 100 and visible[1] > 50 and visible[2] > 0, f"{doc}, animation {k}: {visible}"
    errors = _severe_console_errors(driver)
    assert not errors, f"{doc}: JavaScript console errors while stepping:\n" + "\n".join(errors)
