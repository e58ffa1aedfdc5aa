// Runs on the audio thread: the microphone's first channel as 16-bit PCM, posted to the page
// in blocks of about 100 ms (the page sends each one to the server as it comes).
class PcmSender extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(Math.round(sampleRate / 10));
    this.filled = 0;
    this.port.onmessage = (event) => {
      if (event.data === "flush") {
        this.send();
        this.port.postMessage("flushed");
      }
    };
  }

  send() {
    if (this.filled === 0) return;
    const out = this.block.slice(0, this.filled);
    this.port.postMessage(out.buffer, [out.buffer]);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        const s = Math.max(-1, Math.min(1, channel[i]));
        this.block[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
        if (this.filled === this.block.length) this.send();
      }
    }
    return true;
  }
}

registerProcessor("pcm-sender", PcmSender);
