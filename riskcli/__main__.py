from riskcli.cli import main

raise SystemExit(main())
