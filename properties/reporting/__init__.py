"""Reports: JSON and Markdown files (``report``) and the reach tables: input sizes per column and
the special values each property reached (``coverage``)."""
