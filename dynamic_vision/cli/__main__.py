import sys

from dynamic_vision.cli import main

sys.exit(main())
