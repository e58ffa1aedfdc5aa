// The interviewer's voice: a question the server read aloud (GET /speech?ticket=T, WAV) played
// in the page's <audio id="voice">. practiceSpeech.play(ticket) resolves once it has been heard
// ({ok: true}) or could not be ({ok: false, message}); stop() silences it (Record calls it, so
// the microphone never hears the interviewer).
"use strict";

window.practiceSpeech = (function () {
  const audio = document.getElementById("voice");
  let done = null; // resolves the question playing now

  function finish(result) {
    if (!done) return;
    const resolve = done;
    done = null;
    resolve(result);
  }

  async function why(url) {
    // The element does not say why it failed: the same request, read as text, does.
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      const body = await response.json();
      return body.error || "The question could not be read aloud.";
    } catch (err) {
      return "The question could not be read aloud.";
    }
  }

  if (audio) {
    audio.addEventListener("ended", () => finish({ ok: true }));
    audio.addEventListener("error", async () => {
      if (!done) return;
      finish({ ok: false, message: await why(audio.currentSrc || audio.src) });
    });
  }

  function play(ticket) {
    if (!audio) return Promise.resolve({ ok: false, message: "" });
    finish({ ok: false, message: "" }); // a question still playing is cut short
    return new Promise((resolve) => {
      done = resolve;
      audio.src = "/speech?ticket=" + encodeURIComponent(ticket);
      const started = audio.play();
      if (started) {
        started.catch((err) => {
          if (err && err.name === "NotAllowedError") {
            finish({ ok: false, message: "The browser did not let the page play sound before you used it: press Read aloud to hear the question." });
          }
          // Other failures arrive as the element's error event.
        });
      }
    });
  }

  function stop() {
    if (!audio) return;
    audio.pause();
    finish({ ok: false, message: "" });
  }

  function playing() { return done !== null; }

  return { play, stop, playing };
})();
