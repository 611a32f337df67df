"""The history formats the reader knows (a module of its own so the CLI needs no pandas)."""

#: ``servicenow``: an audit event log, several rows per incident; ``tickets``: one row each.
FORMATS = ("servicenow", "tickets")
