from handlers.cli import main

main()
