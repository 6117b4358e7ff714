from poolctl.cli import main

raise SystemExit(main())
