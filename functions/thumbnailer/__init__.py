"""The thumbnailer: each photo uploaded under `originals/` gets smaller copies and a manifest saying so."""
