// What the in-guest IPVS tests need around them: a fresh network namespace per case (IPVS state is per
// netns, and a fresh one avoids the kernel's destination trash list), links, and the peer tools
// (ipvsadm, iproute2) whose paths the guest script passes in IPVS_VM_IPVSADM and IPVS_VM_IP.
#pragma once

#include "ipvs/netlink_port.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ipvsd::ipvs::vm {

// Moves this (single-threaded) process into a new network namespace with `lo` up and, when asked, a
// dummy interface "d0" (MTU 1500) up. Sockets opened before keep their old namespace.
void freshNetns(bool withDummy = true);

// An IpvsPort on a socket of the current namespace (fails the test if it cannot open).
std::unique_ptr<NetlinkIpvsPort> openPort();

struct RunResult {
    int status = -1;     // exit status, or 128 + signal
    std::string output;  // stdout and stderr
};
// Runs argv[0] (a path) with the given stdin; waits for it.
RunResult run(const std::vector<std::string>& argv, const std::string& input = "");

std::string ipvsadmPath();  // $IPVS_VM_IPVSADM
std::string ipPath();       // $IPVS_VM_IP
// `ipvsadm ARGS...` in the current namespace; fails the test on a non-zero exit.
std::string ipvsadm(const std::vector<std::string>& args, const std::string& input = "");
void ip(const std::vector<std::string>& args);

// Lines of a text, sorted (ipvsadm -S lists services in hash order).
std::vector<std::string> sortedLines(const std::string& text);

double secondsSince(std::chrono::steady_clock::time_point start);

}  // namespace ipvsd::ipvs::vm
