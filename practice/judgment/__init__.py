"""The coach's verdict: a transcript (and its audio) in, an `Analysis` out. Imports `core` and
`speech` only.

`sentences` splits and times sentences, `pacing` measures pace, pauses, fillers and hedges,
`structure` labels the STAR parts, `content` reads value to the employer, red-flag handling
and job-posting terms, `scoring` turns them into 0-100 scores with reasons and tips, `coach`
runs every stage on one answer, and `evaluation` checks the judgment against labelled answers.

Language foundations for the rebuild: `parse` (spaCy small English pipeline into typed
tokens), `embed` (all-MiniLM-L6-v2 sentence vectors in numpy), `packaged` (finding and
checking those models in their pinned packages).
"""
