// Mock interview mode: the questions come one after another. practice.js records each take;
// at Stop this script shows the next question at once (the last answer is analysed meanwhile),
// adds each answer's verdict line as it arrives, and after the last one opens the summary.
"use strict";

(function () {
  const main = document.querySelector('main[data-mode="interview"]');
  if (!main) return;
  const items = Array.from(document.querySelectorAll("#questions li"));
  const heading = document.getElementById("question-heading");
  const counter = document.getElementById("counter");
  const guidance = document.getElementById("guidance");
  const target = document.getElementById("target");
  const answers = document.getElementById("answers");
  const statusLine = document.getElementById("status");
  const record = document.getElementById("record");
  let at = 0;
  let pending = 0;
  let finished = false;

  function clock(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds)));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function show(i) {
    const item = items[i];
    main.dataset.ticket = item.dataset.ticket;
    main.dataset.targetLow = item.dataset.targetLow;
    main.dataset.targetHigh = item.dataset.targetHigh;
    heading.textContent = item.querySelector(".q-text").textContent;
    guidance.textContent = item.querySelector(".q-guidance").textContent;
    counter.textContent = "Question " + (i + 1) + " of " + items.length;
    const low = item.dataset.targetLow, high = item.dataset.targetHigh;
    target.textContent = low && high ? "/ aim " + clock(low) + "–" + clock(high) : "";
  }

  function summary() {
    window.location.href = main.dataset.summary;
  }

  main.addEventListener("take-stopped", () => {
    pending += 1;
    if (at + 1 < items.length) {
      at += 1;
      show(at);
      heading.tabIndex = -1;
      heading.focus(); // a screen reader hears the new question at once
    } else {
      finished = true;
      counter.textContent = "That was the last question";
      record.hidden = true;
    }
  });

  main.addEventListener("take-done", (event) => {
    pending -= 1;
    const message = event.detail.message;
    const line = document.createElement("li");
    if (event.detail.ok) {
      const link = document.createElement("a");
      link.href = "/attempts/" + encodeURIComponent(message.id);
      link.textContent = message.line || "Overall " + message.overall;
      line.appendChild(link);
    } else {
      line.textContent = message.message; // not saved: no speech, or a failure
    }
    answers.appendChild(line);
    answers.hidden = false;
    if (finished && pending === 0) {
      statusLine.textContent = "All answered: opening the summary…";
      summary();
    } else if (event.detail.ok) {
      statusLine.textContent = "Answer saved. Press Record (or Space) for this question.";
    }
  });
})();
