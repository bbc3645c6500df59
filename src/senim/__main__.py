from senim.cli import main

main()
