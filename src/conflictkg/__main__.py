"""`python -m conflictkg` runs the command line (useful where the console script is not on PATH)."""

from conflictkg.cli import main

if __name__ == "__main__":
    main()
