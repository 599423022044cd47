"""One call: its transcript (with its speakers), the evidence of who the rep is and the loaded
models in, its ``CallResult`` out (``analysis.analyze_call``).

Nothing here opens a call's files, writes anything or changes shared state: the rules, word
lists and thresholds it runs on are read through ``settings`` (versioned data under
``models/``, part of every result's key). ``tests/test_structure.py`` checks it.
"""
