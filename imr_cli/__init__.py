"""The `imr-search` command line: the top layer, a thin shell over the library.

    main.py      the click group (the console script's entry point)
    options.py   options shared by several commands (--index, --json, --filter...)
    letters.py   parse, index, generate: letters in, index out
    search.py    search, similar: the engine's answers in the terminal or as JSON
    show.py      show: one decision (or a letter's items) in full, or the API's item JSON
    precedent.py guideline, reasons, estimate: the precedent tools
    serve.py     serve, demo: the web UI and JSON API on the production server
    terminal.py  the terminal presenter (marked text in bold, fitted to the terminal's width)

Mistakes the user can fix print one line starting "Error:" and exit with status 2.
"""
