// lbctl: the ipvsadm 1.31-compatible command line (the logic lives in lbctl_core).
#include "lbctl/app.h"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return ipvsd::lbctl::run(args, argc > 0 ? argv[0] : "lbctl", std::cout, std::cerr);
}
