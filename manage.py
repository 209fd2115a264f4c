#!/usr/bin/env python
from havenbeeld.cli import main

if __name__ == "__main__":
    main()
