// Mock interview mode: the questions come one after another. practice.js records each take;
// at Stop this script shows the next question at once (the last answer is analysed meanwhile),
// adds each answer's verdict line as it arrives, and after the last one opens the summary.
// With follow-up questions on (data-follow-ups), it first waits for the answer's judgment: a
// follow-up, when one is chosen, is asked and answered before the next question. With
// "Speak questions" on (data-speak), each question is read aloud before Record is enabled.
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
  const followUps = main.dataset.followUps === "on";
  const speak = main.dataset.speak === "on";
  let at = 0;
  let pending = 0;
  const waiting = []; // for each take stopped and not yet judged: does the page wait for it?
  let finished = false;

  function clock(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds)));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function setTarget(low, high) {
    main.dataset.targetLow = low;
    main.dataset.targetHigh = high;
    target.textContent = low && high ? "/ aim " + clock(low) + "–" + clock(high) : "";
  }

  async function ask() {
    // The question is heard before the microphone can open, so a take never holds it.
    heading.tabIndex = -1;
    heading.focus(); // a screen reader hears the new question at once
    if (!speak || !window.practiceSpeech) return;
    record.disabled = true;
    statusLine.textContent = "The interviewer is asking…";
    const heard = await window.practiceSpeech.play(main.dataset.ticket);
    record.disabled = false;
    statusLine.textContent = heard.ok || !heard.message
      ? "Press Record (or Space) to answer."
      : heard.message;
  }

  function show(i) {
    const item = items[i];
    delete main.dataset.kind;
    main.dataset.ticket = item.dataset.ticket;
    heading.textContent = item.querySelector(".q-text").textContent;
    guidance.textContent = item.querySelector(".q-guidance").textContent;
    counter.textContent = "Question " + (i + 1) + " of " + items.length;
    setTarget(item.dataset.targetLow, item.dataset.targetHigh);
  }

  function showFollowUp(asked) {
    main.dataset.kind = "follow-up";
    main.dataset.ticket = asked.ticket;
    heading.textContent = asked.question;
    guidance.textContent = "Asked because: " + asked.asked_because;
    counter.textContent = "Question " + (at + 1) + " of " + items.length + ": a follow-up";
    setTarget(asked.target_low, asked.target_high);
    ask();
  }

  function moveOn() {
    if (at + 1 < items.length) {
      at += 1;
      show(at);
      ask();
    } else {
      finished = true;
      delete main.dataset.kind;
      counter.textContent = "That was the last question";
      record.hidden = true;
    }
  }

  function summary() {
    window.location.href = main.dataset.summary;
  }

  main.addEventListener("take-stopped", () => {
    pending += 1;
    // A main answer with follow-ups on waits for its judgment; anything else moves on at once.
    const waits = followUps && main.dataset.kind !== "follow-up";
    waiting.push(waits);
    if (waits) {
      statusLine.textContent = "Listening back to your answer…";
      return;
    }
    moveOn();
  });

  main.addEventListener("take-done", (event) => {
    pending -= 1;
    const message = event.detail.message;
    const asked = event.detail.followUp;
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
    const waited = waiting.shift() === true; // takes are judged in the order they stopped
    if (waited && asked && asked.question) {
      showFollowUp(asked);
      if (!speak) statusLine.textContent = "A follow-up: press Record (or Space) to answer it.";
      return;
    }
    if (waited) moveOn(); // no follow-up (or no answer): the next question
    if (finished && pending === 0) {
      statusLine.textContent = "All answered: opening the summary…";
      summary();
    } else if (event.detail.ok && !speak) {
      statusLine.textContent = "Answer saved. Press Record (or Space) for this question.";
    }
  });

  ask();
})();
