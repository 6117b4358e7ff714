from poolctl.lifecycle import main

raise SystemExit(main())
