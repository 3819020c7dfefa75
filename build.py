"""Build the petition site: `python build.py --help` lists the commands and options."""

from generator.commands.main import main

raise SystemExit(main())
