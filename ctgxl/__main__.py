from ctgxl.cli import main

main()
