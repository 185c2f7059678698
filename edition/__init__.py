"""edition: messy sources -> TEI P5 critical edition (HTML, PDF)."""

__version__ = "0.1.0"
