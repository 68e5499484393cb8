// ipvs-probe: runs IPVS operations against the running kernel, one command per line on stdin, and prints
// what the kernel answered (ok, or the errno) and what it holds. A developer tool for finding out the
// kernel's behaviour (the errnos the fake port reproduces) and for capturing raw replies as hex
// (the decoder's seed corpus and golden replies). Commands:
//   netns                         move to a fresh network namespace (unshare CLONE_NEWNET; reopens the port)
//   svc-add|svc-edit SVC [sched=rr] [flags=N] [timeout=N] [mask=N] [pe=NAME]
//   svc-del SVC | get SVC | zero [SVC] | flush | list | info | timeouts | daemons
//   dest-add|dest-edit SVC DEST [fwd=masq|local|tunnel|route|N] [w=N] [x=N] [y=N] [tun=ipip|gue|gre|N]
//                      [tport=N] [tflags=N]
//   dest-del SVC DEST
//   set-timeouts TCP TCPFIN UDP
//   daemon-start master|backup|N IFNAME SYNCID [maxlen=N] [group=ADDR] [port=N] [ttl=N]
//   daemon-stop master|backup|N
//   raw-dump-services | raw-dests SVC | raw-info | raw-timeouts | raw-daemons | raw-get SVC
// SVC: tcp:10.0.0.1:80, udp:[2001:db8::1]:53, sctp:..., proto47:..., fwm:7, fwm6:7; DEST: 10.0.0.2:80.
#include "ipvs/codec.h"
#include "ipvs/netlink_port.h"

#include <linux/netlink.h>
#include <sched.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

std::optional<std::uint64_t> number(const std::string& s) {
    try {
        std::size_t used = 0;
        std::uint64_t v = std::stoull(s, &used, 0);
        if (used == s.size()) return v;
    } catch (...) {
    }
    return std::nullopt;
}

std::optional<std::pair<Address, std::uint16_t>> hostPort(const std::string& s) {
    std::string host, port;
    if (!s.empty() && s[0] == '[') {
        auto close = s.find(']');
        if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    auto addr = Address::parse(host);
    auto p = number(port);
    if (!addr || !p || *p > 65535) return std::nullopt;
    return std::make_pair(*addr, static_cast<std::uint16_t>(*p));
}

std::optional<ServiceKey> serviceKey(const std::string& s) {
    auto colon = s.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string kind = s.substr(0, colon), rest = s.substr(colon + 1);
    if (kind == "fwm" || kind == "fwm6") {
        auto mark = number(rest);
        if (!mark) return std::nullopt;
        return ServiceKey::forFwmark(kind == "fwm6" ? Family::Inet6 : Family::Inet,
                                     static_cast<std::uint32_t>(*mark));
    }
    Protocol protocol;
    if (kind == "tcp") {
        protocol = Protocol::Tcp;
    } else if (kind == "udp") {
        protocol = Protocol::Udp;
    } else if (kind == "sctp") {
        protocol = Protocol::Sctp;
    } else if (kind.rfind("proto", 0) == 0 && number(kind.substr(5))) {
        protocol = static_cast<Protocol>(*number(kind.substr(5)));
    } else {
        return std::nullopt;
    }
    auto hp = hostPort(rest);
    if (!hp) return std::nullopt;
    return ServiceKey::forAddress(protocol, hp->first, hp->second);
}

// key=value options after the positional words.
std::map<std::string, std::string> options(const std::vector<std::string>& words, std::size_t from) {
    std::map<std::string, std::string> out;
    for (std::size_t i = from; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        if (eq != std::string::npos) out[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
    return out;
}

std::uint32_t u32Option(const std::map<std::string, std::string>& o, const std::string& name,
                        std::uint32_t dflt) {
    auto it = o.find(name);
    if (it == o.end()) return dflt;
    return static_cast<std::uint32_t>(number(it->second).value_or(dflt));
}

std::string errnoName(int e) {
    static const std::map<int, std::string> names = {{EINVAL, "EINVAL"},
                                                     {ENOENT, "ENOENT"},
                                                     {ESRCH, "ESRCH"},
                                                     {EEXIST, "EEXIST"},
                                                     {ERANGE, "ERANGE"},
                                                     {ENODEV, "ENODEV"},
                                                     {EBUSY, "EBUSY"},
                                                     {EAFNOSUPPORT, "EAFNOSUPPORT"},
                                                     {EFAULT, "EFAULT"},
                                                     {EPERM, "EPERM"},
                                                     {ENOMEM, "ENOMEM"},
                                                     {EOPNOTSUPP, "EOPNOTSUPP"},
                                                     {EPROTO, "EPROTO"},
                                                     {ENOBUFS, "ENOBUFS"},
                                                     {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
                                                     {ENOPROTOOPT, "ENOPROTOOPT"}};
    auto it = names.find(e);
    return it == names.end() ? "errno" + std::to_string(e) : it->second;
}

void printStatus(const Status& st) {
    if (st) {
        std::cout << "ok\n";
    } else {
        std::cout << errnoName(st.error().errnum) << " (" << st.error().operation << ": " << st.error().detail
                  << ")\n";
    }
}

void printStats(const Stats& s) {
    std::cout << " conns=" << s.conns << " inpkts=" << s.inPkts << " outpkts=" << s.outPkts
              << " inbytes=" << s.inBytes << " outbytes=" << s.outBytes << " cps=" << s.cps
              << " inpps=" << s.inPps << " outpps=" << s.outPps << " inbps=" << s.inBps
              << " outbps=" << s.outBps;
}

void printService(const ServiceEntry& e) {
    const Service& s = e.service;
    std::cout << "service " << s.key.toString() << " sched=" << s.scheduler << " flags=0x" << std::hex
              << s.flags << " timeout=" << std::dec << s.timeout << " mask=0x" << std::hex << s.netmask
              << std::dec << " pe=" << (s.persistenceEngine.empty() ? "-" : s.persistenceEngine);
    printStats(e.stats);
    std::cout << "\n";
    for (const DestEntry& d : e.dests) {
        const Dest& x = d.dest;
        std::cout << "  dest " << x.key.toString() << " " << familyName(x.key.address.family)
                  << " fwd=" << forwardMethodName(x.forward) << " w=" << x.weight << " x=" << x.upperThreshold
                  << " y=" << x.lowerThreshold << " tun=" << tunnelTypeName(x.tunnelType)
                  << " tport=" << x.tunnelPort << " tflags=" << x.tunnelFlags << " active=" << d.activeConns
                  << " inact=" << d.inactiveConns << " persist=" << d.persistentConns;
        printStats(d.stats);
        std::cout << "\n";
    }
}

void hex(std::span<const std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) std::printf("%02x", bytes[i]);
    std::printf("\n");
    std::fflush(stdout);
}

// Sends one query on a socket of its own and prints every datagram of the answer as one hex line.
void rawQuery(std::uint16_t familyId, const codec::Query& query) {
    auto socket = NetlinkSocket::open(NETLINK_GENERIC, {});
    if (!socket) return printStatus(socket.error());
    codec::MessageBatch batch;
    constexpr std::uint32_t kSeq = 7;
    if (Status st = codec::encodeQuery(batch, query, {familyId, kSeq, 0}); !st) return printStatus(st);
    if (Status st = socket.value().send(batch.bytes()); !st) return printStatus(st);
    codec::ReplyReader reader(
        "raw", kSeq,
        codec::isDump(query) ? codec::ReplyReader::Kind::Dump : codec::ReplyReader::Kind::Single);
    while (!reader.done()) {
        auto datagram = socket.value().receive(std::chrono::seconds{10});
        if (!datagram) return printStatus(datagram.error());
        std::cout << "raw ";
        std::cout.flush();
        hex(datagram.value());
        reader.feed(datagram.value(), [](const codec::MessageView&) -> Status { return Ok{}; });
    }
    printStatus(reader.result());
}

class Probe {
  public:
    Status reopen() {
        port_.reset();
        auto port = NetlinkIpvsPort::open();
        if (!port) return port.error();
        port_ = std::move(port).value();
        return Ok{};
    }

    void run(const std::string& line) {
        std::istringstream in(line);
        std::vector<std::string> w;
        for (std::string word; in >> word;) w.push_back(word);
        if (w.empty() || w[0][0] == '#') return;
        std::cout << "> " << line << "\n";
        if (w[0] == "netns") {
            port_.reset();
            if (::unshare(CLONE_NEWNET) != 0) return printStatus(Error{"unshare", errno, "CLONE_NEWNET"});
            return printStatus(reopen());
        }
        if (!port_) return printStatus(Error{"probe", ENOTCONN, "no IPVS port"});
        if (!command(w)) std::cout << "bad command\n";
    }

  private:
    bool command(const std::vector<std::string>& w) {
        const std::string& c = w[0];
        auto svc = w.size() > 1 ? serviceKey(w[1]) : std::nullopt;
        auto o = options(w, 2);
        if (svc && o.count("af")) svc->family = static_cast<Family>(u32Option(o, "af", 2));  // any number
        if (c == "svc-add" || c == "svc-edit") {
            if (!svc) return false;
            Service s = Service::make(*svc, o.count("sched") ? o["sched"] : "wlc");
            s.flags = u32Option(o, "flags", 0);
            s.timeout = u32Option(o, "timeout", 0);
            s.netmask = u32Option(o, "mask", s.netmask);
            if (o.count("pe")) s.persistenceEngine = o["pe"];
            printStatus(port_->applyOne(c == "svc-add" ? IpvsOp{AddService{s}} : IpvsOp{EditService{s}}));
        } else if (c == "svc-del") {
            if (!svc) return false;
            printStatus(port_->applyOne(DelService{*svc}));
        } else if (c == "dest-add" || c == "dest-edit" || c == "dest-del") {
            auto hp = w.size() > 2 ? hostPort(w[2]) : std::nullopt;
            if (!svc || !hp) return false;
            Dest d;
            d.key = DestKey{hp->first, hp->second};
            o = options(w, 3);
            static const std::map<std::string, std::uint32_t> fwd = {
                {"masq", 0}, {"local", 1}, {"tunnel", 2}, {"route", 3}};
            static const std::map<std::string, std::uint32_t> tun = {{"ipip", 0}, {"gue", 1}, {"gre", 2}};
            if (o.count("fwd"))
                d.forward = static_cast<ForwardMethod>(fwd.count(o["fwd"]) ? fwd.at(o["fwd"])
                                                                           : u32Option(o, "fwd", 0));
            d.weight = static_cast<std::int32_t>(u32Option(o, "w", 1));
            d.upperThreshold = u32Option(o, "x", 0);
            d.lowerThreshold = u32Option(o, "y", 0);
            if (o.count("tun")) {
                d.tunnelType =
                    static_cast<TunnelType>(tun.count(o["tun"]) ? tun.at(o["tun"]) : u32Option(o, "tun", 0));
            }
            d.tunnelPort = static_cast<std::uint16_t>(u32Option(o, "tport", 0));
            d.tunnelFlags = static_cast<std::uint16_t>(u32Option(o, "tflags", 0));
            if (o.count("daf")) d.key.address.family = static_cast<Family>(u32Option(o, "daf", 2));
            if (c == "dest-add") printStatus(port_->applyOne(AddDest{*svc, d}));
            if (c == "dest-edit") printStatus(port_->applyOne(EditDest{*svc, d}));
            if (c == "dest-del") printStatus(port_->applyOne(DelDest{*svc, d.key}));
        } else if (c == "zero") {
            printStatus(port_->zero(w.size() > 1 && w[1] != "all" ? svc : std::nullopt));
        } else if (c == "flush") {
            printStatus(port_->flush());
        } else if (c == "set-timeouts") {
            if (w.size() != 4) return false;
            Timeouts t{static_cast<std::uint32_t>(number(w[1]).value_or(0)),
                       static_cast<std::uint32_t>(number(w[2]).value_or(0)),
                       static_cast<std::uint32_t>(number(w[3]).value_or(0))};
            printStatus(port_->setTimeouts(t));
        } else if (c == "daemon-start") {
            if (w.size() < 4) return false;
            SyncDaemon d;
            d.state = w[1] == "master"   ? SyncState::Master
                      : w[1] == "backup" ? SyncState::Backup
                                         : static_cast<SyncState>(number(w[1]).value_or(0));
            d.interface = w[2];
            d.syncId = static_cast<std::uint32_t>(number(w[3]).value_or(0));
            o = options(w, 4);
            d.maxLength = static_cast<std::uint16_t>(u32Option(o, "maxlen", 0));
            if (o.count("group")) d.group = Address::parse(o["group"]);
            d.port = static_cast<std::uint16_t>(u32Option(o, "port", 0));
            d.ttl = static_cast<std::uint8_t>(u32Option(o, "ttl", 0));
            printStatus(port_->startDaemon(d));
        } else if (c == "daemon-stop") {
            if (w.size() != 2) return false;
            printStatus(port_->stopDaemon(w[1] == "master" ? SyncState::Master
                                          : w[1] == "backup"
                                              ? SyncState::Backup
                                              : static_cast<SyncState>(number(w[1]).value_or(0))));
        } else if (c == "list") {
            auto services = port_->listServices({});
            if (!services) return printStatus(services.error()), true;
            for (const auto& e : services.value()) printService(e);
            std::cout << services.value().size() << " services\n";
        } else if (c == "get") {
            if (!svc) return false;
            auto e = port_->getService(*svc);
            if (!e) return printStatus(e.error()), true;
            printService(e.value());
        } else if (c == "info") {
            auto i = port_->info();
            if (!i) return printStatus(i.error()), true;
            std::cout << "version " << i.value().versionString() << " size " << i.value().connTableSize
                      << "\n";
        } else if (c == "timeouts") {
            auto t = port_->getTimeouts();
            if (!t) return printStatus(t.error()), true;
            std::cout << "tcp " << t.value().tcp << " tcpfin " << t.value().tcpFin << " udp " << t.value().udp
                      << "\n";
        } else if (c == "daemons") {
            auto ds = port_->listDaemons();
            if (!ds) return printStatus(ds.error()), true;
            for (const auto& d : ds.value()) {
                std::cout << "daemon " << syncStateName(d.state)
                          << " ifn=" << d.interface << " syncid=" << d.syncId << " maxlen=" << d.maxLength
                          << " group=" << (d.group ? d.group->toString() : "-") << " port=" << d.port
                          << " ttl=" << unsigned{d.ttl} << "\n";
            }
            std::cout << ds.value().size() << " daemons\n";
        } else if (c == "raw-dump-services") {
            rawQuery(port_->familyId(), codec::DumpServices{});
        } else if (c == "raw-dests" && svc) {
            rawQuery(port_->familyId(), codec::DumpDests{*svc});
        } else if (c == "raw-get" && svc) {
            rawQuery(port_->familyId(), codec::GetService{*svc});
        } else if (c == "raw-info") {
            rawQuery(port_->familyId(), codec::GetInfo{});
        } else if (c == "raw-timeouts") {
            rawQuery(port_->familyId(), codec::GetTimeouts{});
        } else if (c == "raw-daemons") {
            rawQuery(port_->familyId(), codec::DumpDaemons{});
        } else {
            return false;
        }
        return true;
    }

    std::unique_ptr<NetlinkIpvsPort> port_;
};

}  // namespace

int main() {
    Probe probe;
    if (Status st = probe.reopen(); !st) {
        printStatus(st);
        return 1;
    }
    for (std::string line; std::getline(std::cin, line);) probe.run(line);
    return 0;
}
