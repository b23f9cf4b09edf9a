from retrorun.cli.main import run

run()
