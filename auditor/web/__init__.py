"""`auditor serve`: a local web page for people who do not use a terminal — drop files or a zip,
see the findings on the table itself, mark them 确认/误报/待定, download the same workbooks as the CLI.
Needs the `web` extra (starlette, uvicorn); imported only by that command."""
