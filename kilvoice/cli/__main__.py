from kilvoice.cli import main

main()
