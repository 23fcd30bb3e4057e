"""The model file's format version, in a module of its own: `Inspector --version` and
the About box show it without loading torch (3.6-6 s in the packaged app, for a number).
"""

# 2 added the coarse context term, 3 local-density weights, 4 the weighted defect bonus.
# 5: every file is written as 5, with a checksum over its metadata too. Files used to be
# written with the lowest version that held their tensors, but readers before 5 drop
# the config keys they do not know (baseline share, top fraction, synthetic bank,
# working size) and scored a default model 50 % higher: they must refuse it instead.
FORMAT_VERSION = 5
READABLE_VERSIONS = (1, 2, 3, 4, 5)
