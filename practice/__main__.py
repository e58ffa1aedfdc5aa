from practice.cli import main

main()
