from salesreport import main

main()
