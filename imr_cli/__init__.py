"""The `imr-search` command line: the top layer, a thin shell over the library.

    main.py      the click group (the console script's entry point)
    options.py   options shared by several commands (--index, --json, --filter...)
    letters.py   parse, index, generate: letters in, index out
    search.py    search, similar: the engine's answers in the terminal or as JSON
    serve.py     serve, demo: the web UI and JSON API
    terminal.py  the terminal presenter (marked text in bold, tables that fit)

Mistakes the user can fix print one line starting "Error:" and exit with status 2.
"""
