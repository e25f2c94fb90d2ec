"""trustcenter: a static trust-center site generator for companies that ship AI."""

__version__ = "0.1.0"
