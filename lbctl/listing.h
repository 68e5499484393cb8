// ipvsadm 1.31's read-only outputs as pure functions of what was read from the kernel: -L/-l in every
// mode (--stats, --rate, --thresholds, --persistent-conn, --exact, --sort/--nosort, -n), -S/-S -n,
// -L --timeout, -L --daemon and -L -c (the connection list from /proc/net/ip_vs_conn). No sockets: the
// runner (app.cpp) reads the table through ipvs::IpvsPort and the connection list through
// ipvs/conn_table.h, then calls these.
//
// CONTRACT shared by app.cpp and listing.cpp: add to it, do not change what is declared here.
#pragma once

#include "ipvs/conn_table.h"
#include "ipvs/model.h"
#include "lbctl/command_line.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::lbctl {

// Reverse look-ups for listings without -n (ipvsadm: gethostbyaddr / getservbyport). nullopt: print the
// number. Injected so that tests are independent of the host's resolver and /etc/services.
struct NameLookups {
    std::function<std::optional<std::string>(const ipvs::Address&)> host;
    std::function<std::optional<std::string>(std::uint16_t port, ipvs::Protocol protocol)> port;
};
NameLookups systemNameLookups();

// Everything one listing command shows, read before formatting.
struct ListingInput {
    ipvs::Info info;                          // header line "IP Virtual Server version 1.2.1 (size=4096)"
    std::vector<ipvs::ServiceEntry> services;  // every service, or the one named with -t/-u/-f/--sctp-service
    ipvs::Timeouts timeouts;                   // -L --timeout
    std::vector<ipvs::SyncDaemon> daemons;     // -L --daemon
    std::vector<ipvs::Connection> connections; // -L -c
};

// stdout of a List or Save command (command.command is List or Save), byte for byte as ipvsadm 1.31.
std::string renderListing(const ParsedCommand& command, const ListingInput& input, const NameLookups& names);

// --- additions (lbctl-list) ---

// One counter column of --stats/--rate: 9 characters wide; unless exact, values of 100 000 000 and more
// are abbreviated to whole millions/billions/... with a unit letter (M, G, T, P). With exact, the number
// in full, right-aligned in 9 columns, or after one space when it is wider than 8 digits.
std::string formatCounter(std::uint64_t value, bool exact);

// ipvsadm's order for listings: glibc qsort (a top-down merge sort) with ipvsadm's comparisons, which
// subtract unsigned fwmarks and addresses and read the difference as a signed int (so 200.0.0.1 sorts
// before 1.0.0.1, and fwmark 3000000000 before every address service).
void sortServices(std::vector<ipvs::ServiceEntry>& services);
void sortDests(std::vector<ipvs::DestEntry>& dests);

// "host:port" / "[v6host]:port" as ipvsadm prints an address: numeric with -n, else through names.
std::string addressPortName(const ipvs::Address& address, std::uint16_t port, ipvs::Protocol protocol,
                            bool numeric, const NameLookups& names);

}  // namespace ipvsd::lbctl
