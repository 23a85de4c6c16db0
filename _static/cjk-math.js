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
