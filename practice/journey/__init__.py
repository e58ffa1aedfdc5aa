"""The job seeker's way between interviews: the question bank, mock interviews, the story
bank, job-posting prep, where applications ended, the diagnosis, notes and the spoken
question. Imports `core`, `speech`, `judgment` and `history`.
"""
