#!/usr/bin/env python3
"""Write the whole book as one A4 PDF: the landing page and 6.1-6.7, in _toc.yml order.

1. Jupyter Book's ``singlehtml`` builder writes every page of the book, from the
   stored notebook outputs, into one HTML page (``_build/pdf/_build/singlehtml``;
   a clean build with warnings as errors, like ``make book``).
2. The system's Chromium (Debian: ``chromium`` and ``chromium-driver``), driven by
   selenium, opens that page from a local HTTP server, waits until MathJax has
   typeset every formula and every image and font has loaded, adds
   ``_static/print.css`` (print-only rules), a cover page, opens every collapsed
   block (exercise solutions, ``hide-cell`` code) and prints the page to A4 with
   page numbers and a PDF outline from the headings.

Nothing is downloaded: without chromium or chromedriver this stops and says which
Debian package to install.

Usage:
    python tools/build_pdf.py                       # writes _build/pdf/d2l-ch6-cnn.pdf
    python tools/build_pdf.py --copy-to _build/html # and puts a copy next to the web book
"""
from __future__ import annotations

import argparse
import base64
import functools
import html
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PDF_NAME = "d2l-ch6-cnn.pdf"  # the landing page (intro.md) links to this name
WORK = ROOT / "_build" / "pdf"
DEFAULT_OUTPUT = WORK / PDF_NAME
PRINT_CSS = ROOT / "_static" / "print.css"

A4_INCHES = (8.27, 11.69)  # 210 mm x 297 mm
MARGIN_INCHES = {"marginTop": 0.7, "marginBottom": 0.75, "marginLeft": 0.65, "marginRight": 0.65}

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=zh-CN", "--window-size=1280,900",
]

# Waits until the page has loaded and MathJax has typeset every formula.
WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function wait() {
  if (document.readyState === "complete") {
    if (!document.querySelector(".math")) return done("ok");
    if (window.MathJax && MathJax.startup && MathJax.startup.promise)
      return MathJax.startup.promise.then(() => done("ok"), (e) => done("MathJax failed: " + e));
  }
  if (Date.now() - t0 > 90000)
    return done("timeout: readyState=" + document.readyState + ", MathJax=" + typeof window.MathJax);
  setTimeout(wait, 100);
})();
"""

# Waits until every image has loaded and the web fonts are ready; reports what is missing.
WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function wait() {
  const pending = [...document.images].filter((img) => !img.complete);
  if ((pending.length === 0 && document.fonts.status === "loaded") || Date.now() - t0 > 60000) {
    const broken = [...document.images].filter((img) => img.complete && img.naturalWidth === 0
                                                && img.getClientRects().length > 0);
    return done({pending: pending.map((i) => i.src), broken: broken.map((i) => i.src)});
  }
  setTimeout(wait, 100);
})();
"""

# Prepares the page for print: print.css, the cover, every collapsed block opened.
PREPARE = """
const [css, cover] = arguments;
const style = document.createElement("style");
style.id = "d2l-print-css";
style.textContent = css;
document.head.appendChild(style);

const article = document.querySelector("article.bd-article") || document.body;
article.insertAdjacentHTML("afterbegin", cover);
const list = article.querySelector(".d2l-pdf-cover ol");
for (const anchor of document.querySelectorAll('span[id^="document-notebooks/"]')) {
  const heading = anchor.nextElementSibling && anchor.nextElementSibling.querySelector("h1, h2");
  if (!heading) continue;
  const item = document.createElement("li");
  item.textContent = [...heading.childNodes].filter((n) => !(n.classList && n.classList.contains("headerlink")))
                                            .map((n) => n.textContent).join("").trim();
  list.appendChild(item);
}

// A link into the local server (e.g. a figure's link to its full-size image) means nothing
// in a PDF: drop it. Links within the page stay (the PDF turns them into internal links).
let unlinked = 0;
for (const link of document.querySelectorAll("a[href]")) {
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || (url.pathname === location.pathname && url.hash)) continue;
  link.removeAttribute("href");
  unlinked += 1;
}

let opened = 0;
for (const details of document.querySelectorAll("details")) {
  if (!details.open) { details.open = true; opened += 1; }
}
for (const box of document.querySelectorAll(".toggle-hidden")) {
  box.classList.remove("toggle-hidden");
  opened += 1;
}
return {
  opened,
  unlinked,
  dropdowns: document.querySelectorAll(".admonition.dropdown").length,
  sections: list.children.length,
  players: document.querySelectorAll(".d2l-anim-player").length,
  strips: document.querySelectorAll("img.d2l-anim-strip").length,
};
"""

# Run with the page laid out as on paper (print media, the printable width): a display
# formula wider than the text is scaled down to fit, instead of being cut off at the margin,
# and a long block that is kept on one page may break across pages.
FIT_TO_PAGE = """
let scaled = 0;
for (const box of document.querySelectorAll('mjx-container[display="true"]')) {
  const avail = box.parentElement.clientWidth;
  const wide = box.firstElementChild ? box.firstElementChild.getBoundingClientRect().width : 0;
  if (avail > 0 && wide > avail) {
    box.style.fontSize = (Math.floor(1000 * avail / wide) / 10 - 1) + "%";
    scaled += 1;
  }
}
// print.css and the theme keep code cells, outputs, admonitions ... on one page; a long
// one (over a third of a page) may break instead, so that it leaves no half-empty page.
let breakable = 0;
for (const box of document.querySelectorAll("article.bd-article *")) {
  if (getComputedStyle(box).breakInside.startsWith("avoid") && box.tagName !== "IMG"
      && !box.closest("mjx-container") && box.getBoundingClientRect().height > 330) {
    box.style.setProperty("break-inside", "auto", "important");
    breakable += 1;
  }
}
return {scaled, breakable};
"""

FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)} (its warnings and errors are above)")


def build_singlehtml() -> Path:
    """Clean singlehtml build of the book into WORK; return the folder of index.html."""
    shutil.rmtree(WORK / "_build", ignore_errors=True)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        jupyter_book = Path(shutil.which("jupyter-book") or "jupyter-book")
    _run([str(jupyter_book), "build", ".", "--builder", "singlehtml", "--path-output",
          str(WORK.relative_to(ROOT)), "-W", "-n", "--keep-going", "-q"])
    out = WORK / "_build" / "singlehtml"
    if not (out / "intro.html").is_file():
        raise SystemExit(f"the singlehtml build wrote no {out / 'intro.html'}")
    return out


def cover_html(config: dict) -> str:
    title = html.escape(str(config.get("title", "")))
    author = html.escape(str(config.get("author", "")))
    year = html.escape(str(config.get("copyright", "")))
    return (
        '<section class="d2l-pdf-cover onlyprint">'
        f"<h1>{title}</h1>"
        '<p class="d2l-pdf-subtitle">PyTorch 可执行版 · PDF 版</p>'
        "<ol></ol>"
        f'<p class="d2l-pdf-meta">{author} · © {year}</p>'
        "</section>"
    )


def _serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def find_browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    chromedriver = shutil.which("chromedriver")
    missing = [pkg for pkg, found in (("chromium", chromium), ("chromium-driver", chromedriver)) if not found]
    if missing:
        raise SystemExit("build_pdf.py prints the book with the system's Chromium; install "
                         f"{' and '.join(missing)} (Debian: apt-get install {' '.join(missing)}; "
                         "`bash .ci/run` does it)")
    return chromium, chromedriver


def print_pdf(folder: Path, output: Path, profile: Path, page: str = "intro.html") -> dict:
    """Print folder/page to output; return what was found on the page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = find_browser()
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")) or {}
    options = webdriver.ChromeOptions()
    options.binary_location = chromium  # both paths given: selenium never looks for a browser to download
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")

    httpd = _serve(folder)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.set_page_load_timeout(120)
        driver.set_script_timeout(150)
        driver.get(f"http://127.0.0.1:{httpd.server_address[1]}/{page}")
        state = driver.execute_async_script(WAIT_FOR_MATH)
        if state != "ok":
            raise SystemExit(f"MathJax did not finish: {state}")
        info = driver.execute_script(PREPARE, PRINT_CSS.read_text(encoding="utf-8"), cover_html(config))
        images = driver.execute_async_script(WAIT_FOR_IMAGES)
        if images["pending"] or images["broken"]:
            raise SystemExit(f"images not loaded: {images}")
        errors = driver.execute_script(
            "return [...document.querySelectorAll('mjx-merror, .MathJax_Error')].map((e) => e.textContent)")
        if errors:
            raise SystemExit(f"MathJax reported TeX errors: {errors}")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        width = round((A4_INCHES[0] - MARGIN_INCHES["marginLeft"] - MARGIN_INCHES["marginRight"]) * 96)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
        info.update(driver.execute_script(FIT_TO_PAGE))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        time.sleep(0.5)  # let the layout settle before printing
        result = driver.execute_cdp_cmd("Page.printToPDF", {
            "paperWidth": A4_INCHES[0], "paperHeight": A4_INCHES[1], **MARGIN_INCHES,
            "printBackground": True, "preferCSSPageSize": False,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>", "footerTemplate": FOOTER,
            "generateDocumentOutline": True,
        })
    finally:
        driver.quit()
        httpd.shutdown()
        httpd.server_close()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(base64.b64decode(result["data"]))
    tmp.replace(output)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--copy-to", type=Path, action="append", default=[],
                        help="also copy the PDF into this folder when it exists (e.g. _build/html)")
    args = parser.parse_args(argv)

    find_browser()  # fail early, before the build, when the browser is missing
    t0 = time.monotonic()
    folder = build_singlehtml()
    info = print_pdf(folder, args.output, WORK / "chromium-profile")
    (WORK / "pdf-info.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    size = args.output.stat().st_size
    print(f"PDF: {args.output} ({size / 1e6:.1f} MB, {time.monotonic() - t0:.0f} s); "
          f"sections {info['sections']}, blocks opened {info['opened']}, "
          f"animations {info['players']} (strips {info['strips']})")
    for folder in args.copy_to:
        if folder.is_dir():
            shutil.copy2(args.output, folder / args.output.name)
            print(f"copied to {folder / args.output.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
