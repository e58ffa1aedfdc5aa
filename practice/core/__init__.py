"""The bottom layer: what every other layer shares and nothing here imports from above.

`errors` (the one `PracticeError` family), `results` (the frozen dataclasses that cross each
stage), `records` (what the history keeps: attempts, outcomes, stories), `home` (the private
data folder), `config` (the user's settings), `thresholds` (every target range with its source),
`text` (tokens, lemmas, stop words, hedges and fillers), `files` (text the user hands over) and
`pages` (HTML pages from the templates in practice/templates, escaped by default).
"""
