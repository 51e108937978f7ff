from dlnotes.cli import main

raise SystemExit(main())
