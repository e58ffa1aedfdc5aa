"""From sound to words: audio files and the microphone, the speech engines and their models,
and the transcript with its fillers. Imports only `core`.

`audio` loads files, `capture` records the microphone, `stretches` cuts speech at pauses,
`transcribe` runs a whole recording (batch), `stream` transcribes while the person speaks,
`fillers` finds the "um"s Whisper leaves out, `prosody` measures pitch and energy from the
audio, `engine_faster` and `engine_openai` wrap the two engines, `models`, `convert` and
`quantize` assemble and check their weights, `warmup` and `workshare` keep the cores busy.
`voice` goes the other way: the interviewer's Piper voice, checked, synthesised and played.
"""
