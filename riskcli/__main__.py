from riskcli.cli.root import main

raise SystemExit(main())
