// The attempt page: the report's player script (report.js) highlights the word being played and
// plays from a clicked word; this adds the keyboard. One tab stop for the whole transcript
// (a roving tabindex), arrow keys move between its words, Enter or Space plays from the word.
"use strict";

(function () {
  const words = Array.from(document.querySelectorAll("section.attempt .w[data-start]"));
  if (!words.length || !document.querySelector("section.attempt audio")) return;
  let at = 0;
  words.forEach((w, i) => {
    w.tabIndex = i === 0 ? 0 : -1;
    w.addEventListener("focus", () => { at = i; });
  });
  function move(to) {
    const next = Math.max(0, Math.min(words.length - 1, to));
    words[at].tabIndex = -1;
    words[next].tabIndex = 0;
    words[next].focus();
    at = next;
  }
  document.addEventListener("keydown", (event) => {
    const i = words.indexOf(event.target);
    if (i < 0) return;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") move(i + 1);
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") move(i - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(words.length - 1);
    else if (event.key === "Enter" || event.key === " ") words[i].click();
    else return;
    event.preventDefault();
  });
})();
