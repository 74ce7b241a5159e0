"""Development and test machinery, not part of the product (not installed; run from the repo root).

esnode.py                a real Elasticsearch node for tests, benchmarks and developers:
                         $IMR_SEARCH_ES_URL, Docker, or the Maven integ-test zip
                         (`python -m devtools.esnode` prints its URL and runs until Ctrl-C)
es_analysis_plugin.py    builds the analysis components the Maven test zip lacks
es_analysis_plugin_java/ their Java sources, compiled with javac against that distribution
parse_output.py          saves `imr-search parse` output and derived documents of the real,
                         fixture and generated letters, and compares a later run with it
                         (a parser change that must not change any output)
"""
