"""``python -m skxai``: the command line (see ``skxai --help``)."""

import sys

from skxai._cli import main

if __name__ == "__main__":
    sys.exit(main())
