from practice.runtime import main

main()
