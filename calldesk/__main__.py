from calldesk.cli import main

main()
