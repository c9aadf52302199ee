"""`python -m paperlens` = the `paperlens` command."""

from .cli import main

main()
