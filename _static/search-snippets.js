// Search results: take each result's snippet from the page's text, not from the page's
// own table of contents (and its print-only copy), toolbar or next/previous links, which
// sphinx-book-theme puts inside the [role=main] block that Sphinx's search reads, nor
// from the hidden Colab cell.
//
// Formulas: the page's HTML holds them as TeX (\(p_h\), \[...\]), which MathJax typesets
// only on the page itself; Sphinx's snippet is plain text, so it showed the raw TeX. Here
// each formula of the page text is kept whole (the snippet never cuts one in half) and
// typeset in the snippet by the book's own MathJax (_static/mathjax, loaded on the search
// page when a snippet has a formula). Until then, or if MathJax cannot load, the snippet
// shows the formula's TeX without its delimiters, in a code font.
(() => {
  const NOISE = [".onlyprint", ".bd-sidebar-secondary", ".bd-header-article", ".prev-next-area",
                 ".bd-footer-article", "div.cell.tag_colab", ".copybtn"].join(", ");
  // A formula in the page text, between two private-use characters (no page text has them).
  const OPEN = "\uE000", CLOSE = "\uE001";
  const FORMULA = /\uE000([^\uE001]*)\uE001/g;
  const CONTEXT = 120, LENGTH = 240, LONGEST_EXTENSION = 200;
  const CLOSING = /^[，。、；：！？）」』”’》〉】]+/;
  // _config.yml: mathjax_path (relative to _static); tests/test_book_config.py checks it
  const MATHJAX = "_static/mathjax/tex-chtml.js";

  function tex(el) {
    el.querySelectorAll(".eqno").forEach((e) => e.remove());
    return el.textContent.trim().replace(/^\\[([]/, "").replace(/\\[)\]]$/, "").trim();
  }

  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.bookPatched) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(NOISE).forEach((el) => el.remove());
      doc.querySelectorAll("div.math, span.math").forEach((el) => {
        el.textContent = (el.tagName === "DIV" ? " " : "") + OPEN + tex(el) + CLOSE + (el.tagName === "DIV" ? " " : "");
      });
      return original(doc.documentElement.outerHTML, anchor).replace(/\s+/g, " ");
    };
    Search.htmlToText.bookPatched = true;
    Search.makeSearchSummary = summary;
  }

  // Sphinx's makeSearchSummary (the 240 characters around the last keyword found), with
  // formulas kept whole and typeset.
  function summary(htmlText, keywords, anchor) {
    const text = Search.htmlToText(htmlText, anchor);
    if (text === "") return null;
    const lower = text.toLowerCase();
    const found = [...keywords].map((k) => lower.indexOf(k.toLowerCase())).filter((i) => i > -1).slice(-1)[0];
    let start = Math.max((found || 0) - CONTEXT, 0);
    let end = start + LENGTH;
    for (const m of text.matchAll(FORMULA)) {
      const a = m.index, b = m.index + m[0].length;
      if (a < start && start < b) start = a;
      if (a < end && end < b) end = b - end <= LONGEST_EXTENSION ? b : a;
    }
    const p = document.createElement("p");
    p.classList.add("context");
    if (start > 0) p.append("...");
    const part = text.slice(start, end);
    let last = 0;
    for (const m of part.matchAll(FORMULA)) {
      p.append(part.slice(last, m.index));
      const math = document.createElement("span");
      math.className = "d2l-snippet-math";
      math.dataset.tex = m[1];
      math.textContent = m[1];
      last = m.index + m[0].length;
      // the Chinese punctuation right after a formula stays on its line (as cjk-math.js does)
      const punctuation = part.slice(last).match(CLOSING);
      if (punctuation) {
        const glued = document.createElement("span");
        glued.className = "math-nowrap";
        glued.append(math, punctuation[0]);
        p.append(glued);
        last += punctuation[0].length;
      } else {
        p.append(math);
      }
    }
    p.append(part.slice(last).replace(/\s+$/, ""));
    if (p.firstChild && p.firstChild.nodeType === Node.TEXT_NODE) p.firstChild.data = p.firstChild.data.replace(/^\s+/, "");
    if (end < text.length) p.append("...");
    if (p.querySelector(".d2l-snippet-math")) typeset(p);
    return p;
  }

  let mathjax = null;
  function loadMathJax() {
    if (!mathjax) {
      mathjax = new Promise((resolve, reject) => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
          return MathJax.startup.promise.then(resolve, reject);
        window.MathJax = {startup: {typeset: false}};
        const script = document.createElement("script");
        script.src = (document.documentElement.dataset.content_root || "") + MATHJAX;
        script.async = true;
        script.onload = () => MathJax.startup.promise.then(resolve, reject);
        script.onerror = () => reject(new Error("MathJax did not load"));
        document.head.append(script);
      });
    }
    return mathjax;
  }

  // Formulas are typeset one after another (MathJax's TeX input is not reentrant).
  let queue = Promise.resolve();
  function typeset(p) {
    queue = queue.then(loadMathJax).then(async () => {
      for (const math of p.querySelectorAll(".d2l-snippet-math:not(.d2l-typeset)")) {
        MathJax.texReset();
        const options = MathJax.getMetricsFor(math);
        options.display = false;
        const node = await MathJax.tex2chtmlPromise(math.dataset.tex, options);
        math.replaceChildren(node);
        math.classList.add("d2l-typeset");
      }
      MathJax.startup.document.clear();
      MathJax.startup.document.updateDocument();
      // a formula wider than the snippet (on a phone) gets a line of its own that scrolls,
      // faded at the right edge (custom.css: d2l-scrolls, d2l-more-right)
      for (const math of p.querySelectorAll(".d2l-snippet-math")) {
        if (math.getBoundingClientRect().width <= p.clientWidth) continue;
        math.classList.add("d2l-snippet-wide", "d2l-scrolls", "d2l-more-right");
        math.addEventListener("scroll", () => {
          const more = math.scrollWidth - math.clientWidth;
          math.classList.toggle("d2l-more-left", math.scrollLeft > 1);
          math.classList.toggle("d2l-more-right", math.scrollLeft < more - 1);
        }, {passive: true});
      }
    }).catch((error) => {
      console.warn("search snippets: formulas left as TeX:", error);
    });
  }

  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
