from riskcli.cli.root import run

run()
