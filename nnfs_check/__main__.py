import sys

from nnfs_check import main

sys.exit(main())
