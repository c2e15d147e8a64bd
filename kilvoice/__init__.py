"""kilvoice: evidence from what residents say, offline."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kilvoice")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"
