#include "ipvs/model.h"

#include <arpa/inet.h>

#include <algorithm>
#include <ostream>

namespace ipvsd::ipvs {

std::string_view familyName(Family family) {
    switch (family) {
        case Family::Inet:
            return "IPv4";
        case Family::Inet6:
            return "IPv6";
    }
    return "AF ?";
}

Address Address::v4(std::uint32_t hostOrder) {
    Address a;
    a.family = Family::Inet;
    a.bytes[0] = static_cast<std::uint8_t>(hostOrder >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(hostOrder >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(hostOrder >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(hostOrder);
    return a;
}

std::optional<Address> Address::parse(std::string_view text) {
    std::string s(text);
    Address a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::Inet;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::Inet6;
        return a;
    }
    return std::nullopt;
}

Address Address::any(Family family) {
    Address a;
    a.family = family;
    return a;
}

std::string Address::toString() const {
    if (family != Family::Inet && family != Family::Inet6) {
        return "AF" + std::to_string(static_cast<unsigned>(family));
    }
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(isV6() ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
    return text;
}

std::uint32_t Address::v4HostOrder() const {
    return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 |
           std::uint32_t{bytes[3]};
}

bool Address::isZero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

bool Address::isMulticast() const {
    return isV6() ? bytes[0] == 0xff : (bytes[0] & 0xf0) == 0xe0;  // ff00::/8, 224.0.0.0/4
}

std::string protocolName(Protocol protocol) {
    switch (protocol) {
        case Protocol::Tcp:
            return "TCP";
        case Protocol::Udp:
            return "UDP";
        case Protocol::Sctp:
            return "SCTP";
    }
    return "proto " + std::to_string(static_cast<unsigned>(protocol));
}

namespace {
std::string hostPort(const Address& address, std::uint16_t port) {
    std::string host = address.isV6() ? "[" + address.toString() + "]" : address.toString();
    return host + ":" + std::to_string(port);
}
}  // namespace

ServiceKey ServiceKey::forAddress(Protocol protocol, const Address& address, std::uint16_t port) {
    ServiceKey key;
    key.family = address.family;
    key.protocol = protocol;
    key.address = address;
    key.port = port;
    return key;
}

ServiceKey ServiceKey::forFwmark(Family family, std::uint32_t fwmark) {
    ServiceKey key;
    key.family = family;
    key.protocol = Protocol{0};
    key.address = Address::any(family);
    key.fwmark = fwmark;
    return key;
}

std::string ServiceKey::toString() const {
    if (isFwmark()) {
        std::string s = "FWM " + std::to_string(fwmark);
        return family == Family::Inet6 ? s + " IPv6" : s;
    }
    return protocolName(protocol) + " " + hostPort(address, port);
}

std::uint32_t fullNetmask(Family family) {
    return family == Family::Inet6 ? 128 : 0xffffffff;
}

Service Service::make(const ServiceKey& key, std::string scheduler) {
    Service s;
    s.key = key;
    s.scheduler = std::move(scheduler);
    s.netmask = fullNetmask(key.family);
    return s;
}

std::string_view forwardMethodName(ForwardMethod method) {
    switch (method) {
        case ForwardMethod::Masquerade:
            return "Masq";
        case ForwardMethod::Local:
            return "Local";
        case ForwardMethod::Tunnel:
            return "Tunnel";
        case ForwardMethod::DirectRoute:
            return "Route";
    }
    return "?";
}

std::string_view tunnelTypeName(TunnelType type) {
    switch (type) {
        case TunnelType::Ipip:
            return "ipip";
        case TunnelType::Gue:
            return "gue";
        case TunnelType::Gre:
            return "gre";
    }
    return "?";
}

std::string DestKey::toString() const {
    return hostPort(address, port);
}

std::string_view syncStateName(SyncState state) {
    switch (state) {
        case SyncState::Master:
            return "master";
        case SyncState::Backup:
            return "backup";
    }
    return "?";
}

std::string Info::versionString() const {
    return std::to_string((version >> 16) & 0xff) + "." + std::to_string((version >> 8) & 0xff) + "." +
           std::to_string(version & 0xff);
}

std::ostream& operator<<(std::ostream& out, const Address& value) {
    return out << value.toString();
}

std::ostream& operator<<(std::ostream& out, const ServiceKey& value) {
    out << value.toString();
    if (!value.isFwmark() && value.family != value.address.family)
        out << " (family " << familyName(value.family) << ")";
    return out;
}

std::ostream& operator<<(std::ostream& out, const Service& s) {
    return out << s.key << " sched=" << s.scheduler << " flags=0x" << std::hex << s.flags
               << " timeout=" << std::dec << s.timeout << " netmask=0x" << std::hex << s.netmask << std::dec
               << " pe=" << (s.persistenceEngine.empty() ? "-" : s.persistenceEngine);
}

std::ostream& operator<<(std::ostream& out, const DestKey& value) {
    return out << value.toString();
}

std::ostream& operator<<(std::ostream& out, const Dest& d) {
    return out << d.key << " fwd=" << static_cast<unsigned>(d.forward) << " weight=" << d.weight
               << " x=" << d.upperThreshold << " y=" << d.lowerThreshold
               << " tun=" << static_cast<unsigned>(d.tunnelType) << "/" << d.tunnelPort << "/"
               << d.tunnelFlags;
}

std::ostream& operator<<(std::ostream& out, const Stats& s) {
    return out << "conns=" << s.conns << " inpkts=" << s.inPkts << " outpkts=" << s.outPkts
               << " inbytes=" << s.inBytes << " outbytes=" << s.outBytes << " cps=" << s.cps
               << " inpps=" << s.inPps << " outpps=" << s.outPps << " inbps=" << s.inBps
               << " outbps=" << s.outBps;
}

std::ostream& operator<<(std::ostream& out, const DestEntry& e) {
    return out << e.dest << " active=" << e.activeConns << " inactive=" << e.inactiveConns
               << " persistent=" << e.persistentConns << " " << e.stats;
}

std::ostream& operator<<(std::ostream& out, const ServiceEntry& e) {
    out << e.service << " " << e.stats;
    for (const DestEntry& d : e.dests) out << "\n  -> " << d;
    return out;
}

std::ostream& operator<<(std::ostream& out, const Timeouts& t) {
    return out << "tcp " << t.tcp << " tcpfin " << t.tcpFin << " udp " << t.udp;
}

std::ostream& operator<<(std::ostream& out, const SyncDaemon& d) {
    return out << syncStateName(d.state) << " ifn=" << d.interface << " syncid=" << d.syncId
               << " maxlen=" << d.maxLength << " group=" << (d.group ? d.group->toString() : "-")
               << " port=" << d.port << " ttl=" << static_cast<unsigned>(d.ttl);
}

std::ostream& operator<<(std::ostream& out, const Info& i) {
    return out << "version " << i.versionString() << " size " << i.connTableSize;
}

}  // namespace ipvsd::ipvs
