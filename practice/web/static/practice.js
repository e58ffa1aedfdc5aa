// The practice page: Record opens the microphone, streams 16-bit PCM to the server over a
// WebSocket, shows the live level, time and words; Stop releases the microphone and shows the
// feedback. With follow-up questions on, the follow-up chosen after the answer is shown and
// recorded the same way (on the practice page here; in a mock interview by interview.js).
// Plain JavaScript, no build step, nothing loaded from elsewhere.
"use strict";

(function () {
  const main = document.querySelector("main[data-ticket]");
  const button = document.getElementById("record");
  const live = document.getElementById("live");
  const statusLine = document.getElementById("status");
  const feedback = document.getElementById("feedback");
  const elapsed = document.getElementById("elapsed");
  const target = document.getElementById("target");
  const meterFill = document.getElementById("meter-fill");
  const warning = document.getElementById("warning");
  const wordCount = document.getElementById("word-count");
  const words = document.getElementById("words");
  const pace = document.getElementById("pace");
  const fillerCount = document.getElementById("filler-count");
  const followUpsBox = document.getElementById("follow-ups");
  const followUp = document.getElementById("follow-up"); // the practice page's follow-up
  const followUpResult = document.getElementById("follow-up-result");
  const skip = document.getElementById("follow-up-skip");
  const readAloud = document.getElementById("read-aloud");
  const readFollowUp = document.getElementById("follow-up-read");
  const speech = window.practiceSpeech;
  const mainTicket = main.dataset.ticket;

  const METER_FLOOR_DBFS = -60; // the meter's empty end; full is 0 dBFS
  // In a mock interview (interview.js) the page moves on at Stop and shows each answer's
  // verdict as one line: this script tells it of each stop and each result by events on main.
  const interview = main.dataset.mode === "interview";
  function tell(name, detail) { main.dispatchEvent(new CustomEvent(name, { detail })); }
  let state = "idle"; // idle | starting | recording | analysing
  let take = null; // {socket, stream, context, node}
  let awaited = null; // a main answer's feedback, held until its follow-up has been chosen

  // Drop the token from the address bar: the cookie carries it from now on.
  if (window.location.search.includes("token=")) {
    const url = new URL(window.location.href);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  const low = main.dataset.targetLow;
  const high = main.dataset.targetHigh;
  setTarget(low, high);

  function setTarget(from, to) {
    target.textContent = from && to ? "/ aim " + clock(from) + "–" + clock(to) : "";
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds)));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function setButton(label, disabled) {
    button.textContent = label;
    button.disabled = Boolean(disabled);
    button.classList.toggle("stop", label === "Stop");
    // While the interviewer speaks, Record waits (interview.js enables it after).
    if (interview && label === "Record" && speech && speech.playing()) button.disabled = true;
  }

  function showFollowUp(asked) {
    main.dataset.ticket = asked.ticket;
    main.dataset.kind = "follow-up";
    setTarget(asked.target_low, asked.target_high);
    document.getElementById("follow-up-question").textContent = asked.question;
    document.getElementById("follow-up-because").textContent = asked.asked_because;
    followUpResult.textContent = "";
    skip.hidden = false;
    readFollowUp.hidden = false;
    followUp.hidden = false;
    say("Follow-up question: " + asked.question + " Press Record (or Space) to answer it.");
  }

  function endFollowUp() {
    main.dataset.ticket = mainTicket; // Record now tries the main question again
    delete main.dataset.kind;
    setTarget(low, high);
    skip.hidden = true;
    readFollowUp.hidden = true;
  }

  async function start() {
    if (state !== "idle") return;
    if (speech) speech.stop(); // the microphone must not hear the interviewer
    state = "starting";
    setButton("Record", true);
    const answersFollowUp = main.dataset.kind === "follow-up";
    // A follow-up is asked after a main answer only (the checkbox, or the interview's choice).
    const wantsFollowUp = !answersFollowUp && (interview
      ? main.dataset.followUps === "on"
      : Boolean(followUpsBox && followUpsBox.checked));
    if (answersFollowUp && !interview) {
      followUpResult.textContent = ""; // the main answer's feedback stays in view
    } else {
      feedback.hidden = true;
      feedback.textContent = "";
      if (followUp && !interview) followUp.hidden = true;
    }
    say("Opening the microphone…");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (err) {
      const name = err && err.name;
      if (name === "NotAllowedError" || name === "SecurityError") {
        say("The browser was not allowed to use the microphone. Allow it for this page (the icon in the address bar), then press Record again.", true);
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        say("No microphone was found. Plug one in, then press Record again.", true);
      } else {
        say("The microphone could not be opened (" + (name || err) + ").", true);
      }
      state = "idle";
      setButton("Record");
      return;
    }
    let context;
    try {
      context = new AudioContext({ sampleRate: 16000 });
    } catch (err) {
      context = new AudioContext(); // the server resamples what it is told
    }
    try {
      await context.audioWorklet.addModule("/static/pcm-worklet.js");
    } catch (err) {
      for (const track of stream.getTracks()) track.stop();
      context.close();
      say("This browser could not start recording here (" + (err && err.name || err) + "); try a current Chrome, Edge or Firefox.", true);
      state = "idle";
      setButton("Record");
      return;
    }
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "pcm-sender");
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + "/take?ticket=" + encodeURIComponent(main.dataset.ticket));
    socket.binaryType = "arraybuffer";
    take = { socket, stream, context, node, source, queued: [], finished: false, wantsFollowUp, answersFollowUp };
    node.port.onmessage = (event) => {
      if (event.data === "flushed") {
        if (take && take.onFlushed) take.onFlushed();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(event.data);
      else if (socket.readyState === WebSocket.CONNECTING) take.queued.push(event.data);
    };
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "start", sample_rate: context.sampleRate, follow_up: wantsFollowUp }));
      for (const chunk of take.queued) socket.send(chunk);
      take.queued = [];
    };
    socket.onmessage = (event) => onMessage(JSON.parse(event.data));
    socket.onclose = () => {
      if (awaited) { // the server went before choosing a follow-up: there is none
        onMessage({ type: "follow_up", question: null });
        return;
      }
      if (state === "recording" || state === "analysing") {
        release();
        say("The connection to practice was lost (was the server stopped?). The audio received so far is kept; `practice ask` offers to analyse it.", true);
        state = "idle";
        setButton("Record");
      }
    };
    source.connect(node);
    state = "recording";
    live.hidden = false;
    elapsed.textContent = "0:00";
    words.textContent = "";
    wordCount.textContent = "0";
    fillerCount.textContent = "0";
    pace.textContent = "";
    warning.textContent = "";
    setButton("Stop");
    button.focus();
    say("Recording. Press Stop (or Space) when you have finished.");
  }

  function release() {
    // Stop the tracks: the browser's recording indicator goes off with the microphone.
    if (!take) return;
    for (const track of take.stream.getTracks()) track.stop();
    try { take.source.disconnect(); } catch (err) { /* already */ }
    take.context.close();
  }

  function stop() {
    if (state !== "recording" || !take) return;
    state = "analysing";
    setButton("Record", true);
    if (interview) {
      say(take.wantsFollowUp
        ? "Listening back to your answer…"
        : "Analysing that answer while you read the next question…");
    } else if (take.answersFollowUp) {
      say("Analysing your follow-up answer…");
      followUpResult.textContent = "Analysing…";
    } else {
      say("Analysing your answer…");
      feedback.hidden = false;
      feedback.setAttribute("aria-busy", "true");
      feedback.textContent = "Analysing…";
    }
    const current = take;
    current.onFlushed = () => {
      release();
      if (current.socket.readyState === WebSocket.OPEN) {
        current.socket.send(JSON.stringify({ type: "stop" }));
      }
    };
    current.node.port.postMessage("flush");
    tell("take-stopped", {});
  }

  function onMessage(message) {
    if (message.type === "level") {
      elapsed.textContent = clock(message.elapsed_s);
      const share = (message.rms_dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS;
      meterFill.style.width = Math.round(100 * Math.max(0, Math.min(1, share))) + "%";
      meterFill.classList.toggle("speaking", message.speaking);
      warning.textContent = message.warning;
      wordCount.textContent = String(message.words);
      fillerCount.textContent = String(message.fillers);
      pace.textContent = message.words_per_minute === null ? "" : " · " + message.words_per_minute + " wpm";
      if (typeof message.text === "string") words.textContent = message.text;
    } else if (message.type === "full") {
      stop();
    } else if (message.type === "analysing") {
      if (!interview) say("Analysing your answer…");
    } else if (message.type === "feedback" && interview && take && take.wantsFollowUp) {
      awaited = message; // told with the follow-up chosen after it
    } else if (message.type === "feedback" && interview) {
      take = null;
      state = "idle";
      live.hidden = true;
      feedback.removeAttribute("aria-busy");
      feedback.hidden = true;
      setButton("Record");
      tell("take-done", { ok: true, message });
    } else if (message.type === "feedback" && message.follow_up_of !== undefined) {
      take = null;
      state = "idle";
      live.hidden = true;
      followUpResult.innerHTML = message.html; // rendered by the server's escaping template
      say("Follow-up answer saved: the gap was " + (message.filled ? "filled." : "not filled."));
      endFollowUp();
      setButton("Record");
    } else if (message.type === "follow_up") {
      const answered = awaited;
      awaited = null;
      take = null;
      state = "idle";
      live.hidden = true;
      setButton("Record");
      if (interview) {
        tell("take-done", { ok: true, message: answered, followUp: message });
      } else if (message.question) {
        showFollowUp(message);
      } else {
        const why = message.message || "No follow-up: the answer left nothing an interviewer would ask about.";
        say("Feedback ready: overall " + answered.overall + " out of 100. " + why);
      }
    } else if (message.type === "feedback") {
      const wantsFollowUp = take && take.wantsFollowUp;
      if (wantsFollowUp) awaited = message;
      else take = null;
      state = wantsFollowUp ? "analysing" : "idle"; // idle once the follow-up is chosen
      live.hidden = true;
      feedback.removeAttribute("aria-busy");
      feedback.innerHTML = message.html; // rendered by the server's escaping template
      feedback.hidden = false;
      if (wantsFollowUp) {
        say("Feedback ready: overall " + message.overall + " out of 100. Is there a follow-up question?");
        setButton("Record", true);
      } else {
        say("Feedback ready: overall " + message.overall + " out of 100.");
        setButton("Record");
      }
      const heading = feedback.querySelector("h2");
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    } else if (message.type === "error") {
      if (state === "recording") release();
      const ofFollowUp = take && take.answersFollowUp && !interview;
      take = null;
      awaited = null;
      state = "idle";
      feedback.removeAttribute("aria-busy");
      if (ofFollowUp) followUpResult.textContent = ""; // the follow-up can be answered again
      else feedback.hidden = true;
      say(message.message, true);
      setButton("Record");
      tell("take-done", { ok: false, message });
    }
  }

  async function act(action, attempt, status) {
    if (action === "retry") {
      const keep = followUpsBox && followUpsBox.checked ? "&follow_up=on" : "";
      window.location.href = "/?retry=" + encodeURIComponent(attempt) + keep;
      return;
    }
    const response = await fetch("/attempts/" + encodeURIComponent(attempt) + "/" + action, {
      method: "POST",
      credentials: "same-origin",
    });
    const body = await response.json();
    status.textContent = body.message || body.error || "";
    if (response.ok && action === "discard") {
      for (const b of feedback.querySelectorAll(".actions button")) b.disabled = b.dataset.action !== "retry";
    }
    if (response.ok && action === "story") {
      const b = feedback.querySelector('[data-action="story"]');
      if (b) b.disabled = true;
    }
  }

  feedback.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-action]");
    if (!b) return;
    const box = b.closest(".actions");
    act(b.dataset.action, box.dataset.attempt, feedback.querySelector(".action-status"));
  });

  const leftovers = document.getElementById("leftovers");
  if (leftovers) {
    leftovers.addEventListener("click", async (event) => {
      const b = event.target.closest("button[data-leftovers]");
      if (!b) return;
      const status = leftovers.querySelector(".leftover-status");
      for (const x of leftovers.querySelectorAll("button")) x.disabled = true;
      status.textContent = b.dataset.leftovers === "analyse" ? "Analysing…" : "Deleting…";
      const response = await fetch("/leftovers/" + b.dataset.leftovers, { method: "POST", credentials: "same-origin" });
      const body = await response.json();
      status.textContent = body.message || body.error || "";
      if (!response.ok) for (const x of leftovers.querySelectorAll("button")) x.disabled = false;
    });
  }

  button.addEventListener("click", () => (state === "recording" ? stop() : start()));

  async function read(ticket, control) {
    if (!speech || state !== "idle") return;
    control.disabled = true;
    say("Reading the question aloud…");
    const heard = await speech.play(ticket);
    control.disabled = false;
    if (heard.ok) say("Press Record (or Space) to answer.");
    else if (heard.message) say(heard.message, true);
  }

  if (readAloud) {
    // In an interview the heading shows the question asked now (a follow-up too).
    readAloud.addEventListener("click", () => read(interview ? main.dataset.ticket : mainTicket, readAloud));
  }
  if (readFollowUp) readFollowUp.addEventListener("click", () => read(main.dataset.ticket, readFollowUp));
  if (skip) {
    skip.addEventListener("click", () => {
      if (state !== "idle") return;
      endFollowUp();
      followUp.hidden = true;
      say("Follow-up skipped. Press Record to answer the question again.");
      button.focus();
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || event.repeat) return;
    const t = event.target;
    // Space keeps its own meaning on controls (on the Record button it clicks it).
    if (t instanceof Element && t.closest("button, select, input, textarea, a, summary")) return;
    event.preventDefault();
    if (state === "recording") stop();
    else if (state === "idle" && !button.disabled && !button.hidden) start();
  });

  window.addEventListener("beforeunload", () => {
    if (take && state === "recording") release();
  });
})();
