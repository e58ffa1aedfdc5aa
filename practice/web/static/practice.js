// The practice page: Record opens the microphone, streams 16-bit PCM to the server over a
// WebSocket, shows the live level, time and words; Stop releases the microphone and shows the
// feedback. Plain JavaScript, no build step, nothing loaded from elsewhere.
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

  const METER_FLOOR_DBFS = -60; // the meter's empty end; full is 0 dBFS
  // In a mock interview (interview.js) the page moves on at Stop and shows each answer's
  // verdict as one line: this script tells it of each stop and each result by events on main.
  const interview = main.dataset.mode === "interview";
  function tell(name, detail) { main.dispatchEvent(new CustomEvent(name, { detail })); }
  let state = "idle"; // idle | starting | recording | analysing
  let take = null; // {socket, stream, context, node}

  // Drop the token from the address bar: the cookie carries it from now on.
  if (window.location.search.includes("token=")) {
    const url = new URL(window.location.href);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  const low = main.dataset.targetLow;
  const high = main.dataset.targetHigh;
  if (low && high) target.textContent = "/ aim " + clock(low) + "–" + clock(high);

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
  }

  async function start() {
    if (state !== "idle") return;
    state = "starting";
    setButton("Record", true);
    feedback.hidden = true;
    feedback.textContent = "";
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
    take = { socket, stream, context, node, source, queued: [], finished: false };
    node.port.onmessage = (event) => {
      if (event.data === "flushed") {
        if (take && take.onFlushed) take.onFlushed();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(event.data);
      else if (socket.readyState === WebSocket.CONNECTING) take.queued.push(event.data);
    };
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "start", sample_rate: context.sampleRate }));
      for (const chunk of take.queued) socket.send(chunk);
      take.queued = [];
    };
    socket.onmessage = (event) => onMessage(JSON.parse(event.data));
    socket.onclose = () => {
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
      say("Analysing that answer while you read the next question…");
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
    } else if (message.type === "feedback" && interview) {
      take = null;
      state = "idle";
      live.hidden = true;
      feedback.removeAttribute("aria-busy");
      feedback.hidden = true;
      setButton("Record");
      tell("take-done", { ok: true, message });
    } else if (message.type === "feedback") {
      take = null;
      state = "idle";
      live.hidden = true;
      feedback.removeAttribute("aria-busy");
      feedback.innerHTML = message.html; // rendered by the server's escaping template
      feedback.hidden = false;
      say("Feedback ready: overall " + message.overall + " out of 100.");
      setButton("Record");
      const heading = feedback.querySelector("h2");
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    } else if (message.type === "error") {
      if (state === "recording") release();
      take = null;
      state = "idle";
      feedback.removeAttribute("aria-busy");
      feedback.hidden = true;
      say(message.message, true);
      setButton("Record");
      tell("take-done", { ok: false, message });
    }
  }

  async function act(action, attempt, status) {
    if (action === "retry") {
      window.location.href = "/?retry=" + encodeURIComponent(attempt);
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

  document.addEventListener("keydown", (event) => {
    if (event.code !== "Space" || event.repeat) return;
    const t = event.target;
    // Space keeps its own meaning on controls (on the Record button it clicks it).
    if (t instanceof Element && t.closest("button, select, input, textarea, a, summary")) return;
    event.preventDefault();
    if (state === "recording") stop();
    else if (state === "idle") start();
  });

  window.addEventListener("beforeunload", () => {
    if (take && state === "recording") release();
  });
})();
