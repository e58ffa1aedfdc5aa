"""The coach's reading of an answer: pacing, prosody, structure, content and scores."""
