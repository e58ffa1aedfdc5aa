(function () {
  "use strict";
  function wire(section) {
    var audio = section.querySelector("audio");
    var words = Array.prototype.slice.call(section.querySelectorAll(".w[data-start]"));
    if (!audio || !words.length) return null;
    var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
    var current = -1;
    function highlight() {
      var t = audio.currentTime, lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {  // the last word that has started by now
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t + 0.02) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      if (found === current) return;
      if (current >= 0) words[current].classList.remove("current");
      if (found >= 0) words[found].classList.add("current");
      current = found;
      section.setAttribute("data-current-word", String(found));
    }
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
    words.forEach(function (w) {
      w.addEventListener("click", function () {
        audio.currentTime = parseFloat(w.getAttribute("data-start"));
        audio.play();
      });
    });
    return {audio: audio, words: words, starts: starts, section: section};
  }
  var players = Array.prototype.slice.call(document.querySelectorAll("section.attempt"))
    .map(wire).filter(Boolean);

  // ?autotest: play (muted) from the middle of the first attempt and report which words were
  // highlighted while it played, in document.title and <body data-autotest>, for a headless test.
  if (!/[?&]autotest\b/.test(location.search)) return;
  function report(result) {
    var text = JSON.stringify(result);
    document.body.setAttribute("data-autotest", text);
    document.title = "autotest " + text;
  }
  var p = players[0];
  if (!p) { report({ok: false, error: "no attempt with audio and words"}); return; }
  var k = Math.floor(p.words.length / 2);
  var from = p.starts[k] + 0.01, seen = [];
  var watch = function () {
    var i = parseInt(p.section.getAttribute("data-current-word") || "-1", 10);
    if (!seen.length || seen[seen.length - 1] !== i) seen.push(i);
    var moved = seen.filter(function (x) { return x > k; }).length > 0;
    if (moved || p.audio.ended) {
      p.audio.removeEventListener("timeupdate", watch);
      p.audio.pause();
      report({ok: moved, from_word: k, from_s: from, seen: seen, time_s: p.audio.currentTime});
    }
  };
  p.audio.muted = true;
  p.audio.addEventListener("timeupdate", watch);
  p.audio.currentTime = from;
  var started = p.audio.play();
  if (started && started.catch) {
    started.catch(function (e) { report({ok: false, error: "play failed: " + e}); });
  }
})();
