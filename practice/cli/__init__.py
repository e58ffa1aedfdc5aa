"""The terminal interface: thin click commands that parse, call one use case and render.

`main` builds the command group and translates errors in one place; `rehearse`, `history`,
`journal` and `stories` add their commands to it; `render` draws the terminal views.
"""
