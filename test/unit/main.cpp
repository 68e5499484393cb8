// Catch2 v2 provides main() for every unit test file linked into unit_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
