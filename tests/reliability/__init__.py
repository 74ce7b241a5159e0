"""Reliability tests (issue 6): crash safety, hostile inputs, fuzzing, faults and load.

Everything here runs against real engines (a real SQLite file, a real Elasticsearch node) and
the real `imr-search` command line in subprocesses; each test is bounded in time.
"""
