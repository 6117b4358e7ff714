"""The knowledge base: the seven builtin failure patterns as YAML data, and their loader."""

from poolctl.patterns.loader import (
    Pattern,
    PatternError,
    PatternSet,
    builtin_dir,
    builtin_patterns,
    load_patterns,
)

__all__ = [
    "Pattern",
    "PatternError",
    "PatternSet",
    "builtin_dir",
    "builtin_patterns",
    "load_patterns",
]
