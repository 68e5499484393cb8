// The rest of ipvsadm 1.31's read-only outputs: counters, the sort order, names, -L --timeout,
// -L --daemon and the connection list -L -c. Facts recorded in the 6.1 guest (lbctl/README.md, "Listing").
#include "lbctl/listing.h"
#include "lbctl/listing_internal.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdio>
#include <span>

namespace ipvsd::lbctl {

namespace {

using detail::format;

// a - b of two unsigned 32-bit values read as a signed int, as ipvsadm's comparisons compute it.
int wrappedDifference(std::uint32_t a, std::uint32_t b) {
    return static_cast<int>(static_cast<std::int32_t>(a - b));
}

std::uint32_t word(const ipvs::Address& a, std::size_t i) {
    return (std::uint32_t{a.bytes[4 * i]} << 24) | (std::uint32_t{a.bytes[4 * i + 1]} << 16) |
           (std::uint32_t{a.bytes[4 * i + 2]} << 8) | std::uint32_t{a.bytes[4 * i + 3]};
}

int compareAddresses(ipvs::Family family, const ipvs::Address& a, const ipvs::Address& b) {
    if (family == ipvs::Family::Inet6) {
        for (std::size_t i = 0; i < 4; ++i)
            if (int r = wrappedDifference(word(a, i), word(b, i)); r != 0) return r;
        return 0;
    }
    return wrappedDifference(word(a, 0), word(b, 0));
}

int compareServices(const ipvs::ServiceEntry& x, const ipvs::ServiceEntry& y) {
    const ipvs::ServiceKey& a = x.service.key;
    const ipvs::ServiceKey& b = y.service.key;
    if (int r = wrappedDifference(a.fwmark, b.fwmark); r != 0) return r;
    if (int r = static_cast<int>(a.family) - static_cast<int>(b.family); r != 0) return r;
    if (a.isFwmark() || b.isFwmark()) return 0;
    if (int r = static_cast<int>(a.protocol) - static_cast<int>(b.protocol); r != 0) return r;
    if (int r = compareAddresses(a.family, a.address, b.address); r != 0) return r;
    return static_cast<int>(a.port) - static_cast<int>(b.port);
}

int compareDests(const ipvs::DestEntry& x, const ipvs::DestEntry& y) {
    const ipvs::DestKey& a = x.dest.key;
    const ipvs::DestKey& b = y.dest.key;
    if (int r = static_cast<int>(a.address.family) - static_cast<int>(b.address.family); r != 0) return r;
    if (int r = compareAddresses(a.address.family, a.address, b.address); r != 0) return r;
    return static_cast<int>(a.port) - static_cast<int>(b.port);
}

// glibc's qsort (2.36, what ipvsadm runs on in Debian 12) is a top-down merge sort: halves of n/2 and
// n - n/2, merged taking from the left run while cmp <= 0. ipvsadm's comparisons are not transitive
// (wrapping differences), so only the same algorithm gives the same order.
template <class T, class Cmp>
void mergeSort(std::span<T> items, std::vector<T>& scratch, Cmp cmp) {
    const std::size_t n = items.size();
    if (n <= 1) return;
    const std::size_t n1 = n / 2;
    mergeSort(items.first(n1), scratch, cmp);
    mergeSort(items.subspan(n1), scratch, cmp);
    scratch.clear();
    std::size_t i = 0, j = n1;
    while (i < n1 && j < n) {
        if (cmp(items[i], items[j]) <= 0)
            scratch.push_back(std::move(items[i++]));
        else
            scratch.push_back(std::move(items[j++]));
    }
    while (i < n1) scratch.push_back(std::move(items[i++]));
    for (std::size_t k = 0; k < scratch.size(); ++k) items[k] = std::move(scratch[k]);
}

std::string hostText(const ipvs::Address& address, bool numeric, const NameLookups& names) {
    if (!numeric && names.host)
        if (auto name = names.host(address)) return *name;
    return address.toString();
}

// Only TCP, UDP and SCTP ports have names: a fwmark service's destinations show "rs:80" even without -n.
std::string portText(std::uint16_t port, ipvs::Protocol protocol, bool numeric, const NameLookups& names) {
    const bool named = protocol == ipvs::Protocol::Tcp || protocol == ipvs::Protocol::Udp ||
                       protocol == ipvs::Protocol::Sctp;
    if (!numeric && named && names.port)
        if (auto name = names.port(port, protocol)) return *name;
    return std::to_string(port);
}

// ipvsadm prints templates' "IP" and unknown protocols through their name in the file.
ipvs::Protocol lookupProtocol(const ipvs::Connection& c) {
    return c.knownProtocol().value_or(ipvs::Protocol{0});
}

}  // namespace

std::string formatCounter(std::uint64_t value, bool exact) {
    if (exact) {
        const std::string digits = std::to_string(value);
        const std::size_t width = (digits.size() < 8 ? 8 : digits.size()) + 1;
        return std::string(width - digits.size(), ' ') + digits;
    }
    // The thresholds ipvsadm 1.31 compares with (read from its binary; "156523356" printed as
    // "156523K" in the guest): each unit keeps at most 8 digits.
    if (value <= 99'999'999ULL) return format("%9llu", static_cast<unsigned long long>(value));
    if (value <= 999'999'999ULL) return format("%8lluK", static_cast<unsigned long long>(value / 1'000ULL));
    if (value <= 99'999'999'999ULL)
        return format("%8lluM", static_cast<unsigned long long>(value / 1'000'000ULL));
    if (value <= 99'999'999'999'999ULL)
        return format("%8lluG", static_cast<unsigned long long>(value / 1'000'000'000ULL));
    return format("%8lluT", static_cast<unsigned long long>(value / 1'000'000'000'000ULL));
}

void sortServices(std::vector<ipvs::ServiceEntry>& services) {
    std::vector<ipvs::ServiceEntry> scratch;
    scratch.reserve(services.size());
    mergeSort(std::span<ipvs::ServiceEntry>(services), scratch, compareServices);
}

void sortDests(std::vector<ipvs::DestEntry>& dests) {
    std::vector<ipvs::DestEntry> scratch;
    scratch.reserve(dests.size());
    mergeSort(std::span<ipvs::DestEntry>(dests), scratch, compareDests);
}

std::string addressPortName(const ipvs::Address& address, std::uint16_t port, ipvs::Protocol protocol, bool numeric,
                            const NameLookups& names) {
    const std::string host = hostText(address, numeric, names);
    const std::string service = portText(port, protocol, numeric, names);
    if (address.isV6()) return "[" + host + "]:" + service;
    return host + ":" + service;
}

NameLookups systemNameLookups() {
    NameLookups names;
    // gethostbyaddr (what ipvsadm calls) through getnameinfo: the first name of the address, or none.
    names.host = [](const ipvs::Address& address) -> std::optional<std::string> {
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (address.isV6()) {
            auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
            sin6->sin6_family = AF_INET6;
            std::copy(address.bytes.begin(), address.bytes.end(), sin6->sin6_addr.s6_addr);
            length = sizeof(sockaddr_in6);
        } else {
            auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
            sin->sin_family = AF_INET;
            sin->sin_addr.s_addr = htonl(address.v4HostOrder());
            length = sizeof(sockaddr_in);
        }
        char host[NI_MAXHOST];
        if (getnameinfo(reinterpret_cast<sockaddr*>(&storage), length, host, sizeof host, nullptr, 0,
                        NI_NAMEREQD) != 0)
            return std::nullopt;
        return std::string(host);
    };
    // getservbyport with the protocol's name (other protocols have no port names).
    names.port = [](std::uint16_t port, ipvs::Protocol protocol) -> std::optional<std::string> {
        const char* proto = nullptr;
        switch (protocol) {
            case ipvs::Protocol::Tcp:
                proto = "tcp";
                break;
            case ipvs::Protocol::Udp:
                proto = "udp";
                break;
            case ipvs::Protocol::Sctp:
                proto = "sctp";
                break;
        }
        if (proto == nullptr) return std::nullopt;
        servent result{};
        servent* found = nullptr;
        char buffer[1024];
        if (getservbyport_r(htons(port), proto, &result, buffer, sizeof buffer, &found) != 0 || found == nullptr)
            return std::nullopt;
        return std::string(found->s_name);
    };
    return names;
}

std::string detail::renderTimeouts(const ipvs::Timeouts& t) {
    return format("Timeout (tcp tcpfin udp): %d %d %d\n", static_cast<int>(t.tcp), static_cast<int>(t.tcpFin),
                  static_cast<int>(t.udp));
}

std::string detail::renderDaemons(const std::vector<ipvs::SyncDaemon>& daemons) {
    std::string out;
    for (const ipvs::SyncDaemon& d : daemons) {
        out += format("%s sync daemon (mcast=%s, syncid=%d", std::string(ipvs::syncStateName(d.state)).c_str(),
                      d.interface.c_str(), static_cast<int>(d.syncId));
        if (d.maxLength != 0) out += ", maxlen=" + std::to_string(d.maxLength);
        if (d.group) out += ", group=" + d.group->toString();
        if (d.port != 0) out += ", port=" + std::to_string(d.port);
        if (d.ttl != 0) out += ", ttl=" + std::to_string(unsigned{d.ttl});
        out += ")\n";
    }
    return out;
}

std::string detail::renderConnections(const ParsedCommand& command, const std::vector<ipvs::Connection>& connections,
                              const NameLookups& names) {
    const bool numeric = command.numeric || command.options.has(Opt::Numeric);
    const bool pe = command.options.has(Opt::PersistentConn);
    std::string out = "IPVS connection entries\n";
    if (pe)
        out += format("pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source", "virtual", "destination",
                      "pe name", "pe_data");
    else
        out += format("pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
    for (const ipvs::Connection& c : connections) {
        const ipvs::Protocol protocol = lookupProtocol(c);
        const std::string source = addressPortName(c.clientAddress, c.clientPort, protocol, numeric, names);
        const std::string virt = addressPortName(c.virtualAddress, c.virtualPort, protocol, numeric, names);
        const std::string dest = addressPortName(c.destAddress, c.destPort, protocol, numeric, names);
        // "MM:SS" in a 6-column field; minutes are not capped ("117:04").
        const std::string expire = format("%02u:%02u", c.expires / 60, c.expires % 60);
        if (pe && !c.peName.empty())
            // the destination field is 16 wide here and the PE name 18, unlike the header (as ipvsadm does)
            out += format("%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s\n", c.protocol.c_str(), expire.c_str(),
                          c.state.c_str(), source.c_str(), virt.c_str(), dest.c_str(), c.peName.c_str(),
                          c.peData.c_str());
        else
            out += format("%-3s %-6s %-11s %-18s %-18s %s\n", c.protocol.c_str(), expire.c_str(),
                          c.state.c_str(), source.c_str(), virt.c_str(), dest.c_str());
    }
    return out;
}

}  // namespace ipvsd::lbctl
