"""monitor: watch news articles and log how their claims change."""

__version__ = "0.1.0"
