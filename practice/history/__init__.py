"""What was kept: the SQLite history and everything that reads it back. Imports `core`,
`speech` and `judgment`.

`store` holds all the SQL (attempts, sessions, outcomes, stories) and returns typed results;
`review` looks at one attempt again, `progress` computes the trends, `report` writes the
self-contained HTML report.
"""
