"""`python -m kilvoice` runs the command line, as the `kilvoice` script does."""
from kilvoice.cli import main

main()
