// Keep an inline formula together with the Chinese punctuation right after it (and the
// opening bracket right before it), so that no line starts with "，" or "。" or ends
// with "（" next to a formula. Chromium allows a line break between a formula (an
// inline block) and the punctuation that follows it; the wrapper forbids that one break.
(() => {
  const CLOSE = /^[，。、；：！？）」』”’》〉】]+/;
  const OPEN = /[（「『“‘《〈【]+$/;
  function glue() {
    for (const math of document.querySelectorAll("span.math")) {
      if (math.parentElement.classList.contains("math-nowrap")) continue;
      const prev = math.previousSibling;
      const next = math.nextSibling;
      const before = prev && prev.nodeType === Node.TEXT_NODE ? prev.data.match(OPEN) : null;
      const after = next && next.nodeType === Node.TEXT_NODE ? next.data.match(CLOSE) : null;
      if (!before && !after) continue;
      const wrap = document.createElement("span");
      wrap.className = "math-nowrap";
      math.before(wrap);
      if (before) {
        prev.data = prev.data.slice(0, -before[0].length);
        wrap.append(before[0]);
      }
      wrap.append(math);
      if (after) {
        next.data = next.data.slice(after[0].length);
        wrap.append(after[0]);
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", glue);
  else glue();
})();

// Narrow screens (phones): nothing wide is clipped, and whatever scrolls sideways says so.
// - An inline formula wider than its line is clipped by the theme (span.math has overflow
//   hidden): such a formula gets the class d2l-math-wide, and custom.css lets it scroll in
//   its own box.
// - A figure (an image in a cell output) that would be shown below MIN_FIGURE_SCALE of its
//   own width, or (an SVG) with its smallest text below MIN_TEXT_PX, keeps the width where
//   its labels are readable and scrolls sideways in a div.d2l-figure-scroll of its own.
// - Every box that scrolls sideways (display formulas, the wide inline ones, tables, figures,
//   code and printed output) gets the class d2l-scrolls, and d2l-more-left / d2l-more-right
//   while it has more to show on that side: custom.css fades the content out towards that
//   edge. When done, <html data-d2l-scroll="ready"> (the browser test waits for it).
(() => {
  const MIN_FIGURE_SCALE = 0.8;
  const MIN_TEXT_PX = 8;  // an SVG figure's smallest text, as shown (CSS px)
  const SCROLLERS = ["div.math > mjx-container", "span.math.d2l-math-wide > mjx-container",
                     ".pst-scrollable-table-container", "div.d2l-figure-scroll", "pre"]
    .map((s) => "article.bd-article " + s).join(", ");
  const FIGURES = "article.bd-article div.cell_output img, article.bd-article figure img";

  function wideInlineMath() {
    for (const span of document.querySelectorAll("article.bd-article span.math")) {
      const mjx = span.querySelector(":scope > mjx-container");
      // a table cell widens to fit it (the table scrolls); a closed block's formula has no width
      if (!mjx || span.closest("table") || !span.getClientRects().length) continue;
      if (span.classList.contains("d2l-math-wide")) span.classList.remove("d2l-math-wide");
      // wider than a whole line, with the punctuation glued to it (the theme then clips it)
      const glued = span.parentElement.classList.contains("math-nowrap") ? span.parentElement : span;
      const punctuation = glued.getBoundingClientRect().width - span.getBoundingClientRect().width;
      const line = span.closest("p, li, dd, div").clientWidth;
      if (Math.max(mjx.scrollWidth, mjx.getBoundingClientRect().width) + punctuation > line + 1)
        span.classList.add("d2l-math-wide");
      else if (mjx.classList.contains("d2l-scrolls"))  // wide at an earlier width only
        mjx.classList.remove("d2l-scrolls", "d2l-more-left", "d2l-more-right");
    }
  }

  // The width the page asks for (an explicit width, e.g. a retina PNG's), else the image's own.
  function ownWidth(img) {
    const styled = "d2lWidth" in img.dataset ? img.dataset.d2lWidth : img.style.width;
    return parseFloat(styled) || parseFloat(img.getAttribute("width")) || img.naturalWidth;
  }

  // The smallest text of an SVG figure, in pt: matplotlib writes each text's glyphs in a
  // group scaled by fontsize / 100 (scale(0.1 -0.1) is 10 pt); scale(1 -1) flips an image.
  function measureSvgText() {
    const svgs = [...document.querySelectorAll(FIGURES)].filter((img) => /\.svg$/.test(img.currentSrc || img.src));
    return Promise.all(svgs.map((img) => fetch(img.currentSrc || img.src)
      .then((response) => (response.ok ? response.text() : ""))
      .then((svg) => {
        const pts = [...svg.matchAll(/scale\(([0-9.]+) -\1\)/g)].map((m) => parseFloat(m[1]) * 100).filter((pt) => pt < 50);
        if (pts.length) img.dataset.d2lTextPt = Math.min(...pts);
      })
      .catch(() => {})));
  }

  function figures() {
    for (const img of document.querySelectorAll(FIGURES)) {
      if (img.closest(".d2l-anim") || !img.naturalWidth || !img.getClientRects().length) continue;
      let box = img.parentElement.classList.contains("d2l-figure-scroll") ? img.parentElement : null;
      const parent = (box || img).parentElement, style = getComputedStyle(parent);
      const room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      // at least MIN_FIGURE_SCALE of its width, and its smallest text at least MIN_TEXT_PX
      const pt = parseFloat(img.dataset.d2lTextPt);
      const scale = Math.min(Math.max(MIN_FIGURE_SCALE, pt ? MIN_TEXT_PX / (pt * 4 / 3) : 0), 1.5);
      const least = Math.ceil(ownWidth(img) * scale);
      if (least <= room) {
        if (box) img.style.width = img.dataset.d2lWidth;
        continue;
      }
      if (!box) {
        box = document.createElement("div");
        box.className = "d2l-figure-scroll d2l-scrolls";
        img.before(box);
        box.append(img);
        img.dataset.d2lWidth = img.style.width;
      }
      img.style.width = least + "px";
    }
  }

  function cue(el) {
    const more = el.scrollWidth - el.clientWidth;
    el.classList.toggle("d2l-more-left", more > 1 && el.scrollLeft > 1);
    el.classList.toggle("d2l-more-right", more > 1 && el.scrollLeft < more - 1);
  }

  function scrollers() {
    for (const el of document.querySelectorAll(SCROLLERS)) {
      const scrolls = el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(el).overflowX);
      if (scrolls && !el.classList.contains("d2l-scrolls")) el.classList.add("d2l-scrolls");
      if (scrolls && !el.dataset.d2lCue) {
        el.dataset.d2lCue = "1";
        el.addEventListener("scroll", () => cue(el), {passive: true});
      }
      cue(el);
    }
  }

  function update() {
    if (!document.querySelector("article.bd-article")) return;
    wideInlineMath();
    figures();
    scrollers();
    document.documentElement.dataset.d2lScroll = "ready";
  }

  // Again whenever the column changes size: a turned phone, or an opened collapsed block
  // (a solution, a hidden cell), whose contents had no width while it was closed.
  let pending = false;
  function later() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  }
  function start() {
    const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (typeset || Promise.resolve()).then(measureSvgText, measureSvgText).then(update).then(() => {
      window.addEventListener("resize", later);
      const article = document.querySelector("article.bd-article");
      if (article && window.ResizeObserver) new ResizeObserver(later).observe(article);
    });
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
