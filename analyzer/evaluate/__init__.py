"""Tools about the product, not steps of it: how well and how fast the pipeline works.

Run as modules (the make targets call them):

    python -m analyzer.evaluate.language        # make eval: F1 of the language labels
    python -m analyzer.evaluate.language_real   # make eval: the labels on real conversations
    python -m analyzer.evaluate.diarization     # make eval-diarization: DER on real clips
    python -m analyzer.evaluate.roles           # make eval-roles: the rep found, confidence
    python -m analyzer.evaluate.bench           # make bench: speed ratios measured in one run
    python -m analyzer.evaluate.train_textcat   # make train-textcat: refit the backstop model
    python -m analyzer.evaluate.train_roles     # make train-roles: refit the roles word model
    python -m analyzer.evaluate.train_veto      # make train-veto: refit the sales veto

Nothing in the pipeline imports this package.
"""
