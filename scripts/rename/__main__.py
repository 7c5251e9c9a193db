import sys

from scripts.rename.cli import main

sys.exit(main())
