// lbctl: the ipvsadm-compatible command line. The IPVS commands arrive with the ipvs/ library; this
// entry point already answers -v/-h and refuses everything else with a clear message and status.
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
        std::cout << "lbctl v" LBCTL_VERSION " (ipvsadm 1.31 compatible command line)\n";
        return 0;
    }
    if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
        std::cout << "Usage: lbctl [ipvsadm options]\n"
                     "lbctl speaks ipvsadm 1.31's command line; the IPVS commands are not in this build yet.\n";
        return 0;
    }
    std::cerr << "lbctl: IPVS commands are not available in this build yet\n";
    return 2;
}
