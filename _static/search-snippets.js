// Search results: take each result's snippet from the page's text, not from the page's
// own table of contents (and its print-only copy), toolbar or next/previous links, which
// sphinx-book-theme puts inside the [role=main] block that Sphinx's search reads, nor
// from the hidden Colab cell.
(() => {
  const NOISE = [".onlyprint", ".bd-sidebar-secondary", ".bd-header-article", ".prev-next-area",
                 ".bd-footer-article", "div.cell.tag_colab", ".copybtn"].join(", ");
  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.bookPatched) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(NOISE).forEach((el) => el.remove());
      return original(doc.documentElement.outerHTML, anchor).replace(/\s+/g, " ");
    };
    Search.htmlToText.bookPatched = true;
  }
  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
