"""Citizens' evaluations: the rating form, transaction tokens, devices, fraud flags."""
