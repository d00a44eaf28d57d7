from kehou.cli import main

main()
