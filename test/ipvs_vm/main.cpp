// Catch2 v2 provides main() for the in-guest IPVS tests (run by run_in_guest.sh inside the VM).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
