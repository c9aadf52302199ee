"""Paper Lens: keyphrases, related papers and a reading list for Hugging Face Daily Papers."""

__version__ = "0.1.0"
