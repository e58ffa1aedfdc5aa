"""The browser app (`practice app`): pages and a live take over the same use cases as the CLI,
served on 127.0.0.1 behind a token. Starlette and uvicorn are imported only when it starts."""
