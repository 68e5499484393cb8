#include "ipvsd/ops/dump.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>

namespace ipvsd::ops {

namespace {

using vrrp::DropReason;
using vrrp::RouterState;

const char* yesNo(bool b) { return b ? "yes" : "no"; }
const char* trueFalse(bool b) { return b ? "true" : "false"; }
const char* enabled(bool b) { return b ? "enabled" : "disabled"; }

double seconds(vrrp::Duration d) { return std::chrono::duration<double>(d).count(); }

// "1795456363.759467 (Mon Nov 23 17:52:43.759467 2026)": keepalived prints local time.
std::string timestamp(double epoch) {
    const auto whole = static_cast<std::time_t>(std::floor(epoch));
    const auto micros = static_cast<long>(std::lround((epoch - std::floor(epoch)) * 1e6));
    std::tm tm{};
    ::localtime_r(&whole, &tm);
    char day[32];
    char year[8];
    std::strftime(day, sizeof day, "%a %b %e %H:%M:%S", &tm);
    std::strftime(year, sizeof year, "%Y", &tm);
    return fmt::format("{}.{:06} ({}.{:06} {})", whole, micros, day, micros, year);
}

std::string scopeName(std::uint8_t scope) {
    switch (scope) {
        case 0: return "global";
        case 200: return "site";
        case 253: return "link";
        case 254: return "host";
        case 255: return "nowhere";
        default: return std::to_string(scope);
    }
}

// "10.201.0.100 dev vA scope global set": the address (with its length unless a host route), the
// device, the scope and "set" while the address is installed (MASTER).
std::string vipLine(const vrrp::VipLine& vip, const std::string& interfaceName, bool set) {
    const bool host = vip.address.length == (vip.address.address.family == conf::IpAddress::Family::V4 ? 32 : 128);
    std::string out = host ? vip.address.address.toString() : vip.address.toString();
    out += " dev " + vip.dev.value_or(interfaceName) + " scope " + scopeName(vip.scope);
    if (vip.label) out += " label " + *vip.label;
    if (set) out += " set";
    return out;
}

std::string stateName(std::optional<RouterState> s) { return s ? std::string(vrrp::toString(*s)) : "INIT"; }

// v2 intervals are whole seconds; v3 in centiseconds (keepalived prints milliseconds for v3).
std::string advertInterval(const vrrp::Instance& core) {
    if (core.version == vrrp::Version::V2) return fmt::format("{} sec", core.advertisementInterval.count() / 100);
    return fmt::format("{} milli-sec", core.advertisementInterval.count() * 10);
}

// "10.0.0.1:80" / "[2001:db8::1]:80" -> address and port.
std::pair<std::string, std::string> splitHostPort(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return {s, ""};
    std::string host = s.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, s.substr(colon + 1)};
}

std::string bracketed(const std::string& hostPort, const std::string& protocol) {
    auto [host, port] = splitHostPort(hostPort);
    return "[" + host + "]:" + protocol + ":" + port;
}

// The snapshot's ipvsadm words -> keepalived's lb_kind words.
std::string forwardingName(const std::string& f) {
    if (f == "Masq") return "NAT";
    if (f == "Route") return "DR";
    if (f == "Tunnel") return "TUN";
    if (f == "Local") return "LOCAL";
    return f;
}

void renderVrrpInstance(std::string& out, const DumpInstance& d) {
    const auto& s = d.status;
    const auto& spec = s.spec;
    const auto& core = spec.core;
    const auto& c = s.counters;
    const auto state = stateName(s.state);
    out += " VRRP Instance = " + s.name + "\n";
    out += fmt::format("   VRRP Version = {}\n", core.version == vrrp::Version::V2 ? 2 : 3);
    out += "   State = " + state + "\n";
    if (s.state == RouterState::Backup && c.lastMaster) {
        out += "   Master router = " + c.lastMaster->toString() + "\n";
        out += fmt::format("   Master priority = {}\n", c.lastMasterPriority);
    }
    out += spec.unicastPeers.empty() ? "   Flags: none\n" : "   Flags:\n     Using unicast\n";
    out += "   Wantstate = " + state + "\n";
    if (d.lastTransitionEpoch > 0) out += "   Last transition = " + timestamp(d.lastTransitionEpoch) + "\n";
    out += "   Interface = " + s.interfaceName + "\n";
    if (spec.vmac) out += "   Use VMAC, i/f " + *spec.vmac + "\n";
    if (spec.sourceAddress)
        out += "   Using src_ip = " + spec.sourceAddress->toString() + " (from configuration)\n";
    else if (s.sourceAddress)
        out += "   Using src_ip = " + s.sourceAddress->toString() + "\n";
    if (spec.unicastPeers.empty()) out += "   Multicast address " + spec.multicastGroup.toString() + "\n";
    out += fmt::format("   Gratuitous ARP delay = {}\n", static_cast<long long>(seconds(core.garpMasterDelay)));
    out += fmt::format("   Gratuitous ARP repeat = {}\n", core.garpMasterRepeat);
    out += fmt::format("   Gratuitous ARP refresh = {}\n", static_cast<long long>(seconds(core.garpMasterRefresh)));
    out += fmt::format("   Gratuitous ARP refresh repeat = {}\n", core.garpMasterRefreshRepeat);
    out += fmt::format("   Gratuitous ARP lower priority delay = {}\n",
                       static_cast<long long>(seconds(core.garpLowerPrioDelay)));
    out += fmt::format("   Gratuitous ARP lower priority repeat = {}\n", core.garpLowerPrioRepeat);
    out += fmt::format("   Down timer adverts = {}\n", core.downTimerAdverts);
    out += fmt::format("   Send advert after receive lower priority advert = {}\n", trueFalse(!core.lowerPrioNoAdvert));
    out += fmt::format("   Send advert after receive higher priority advert = {}\n",
                       trueFalse(core.higherPrioSendAdvert));
    out += fmt::format("   Virtual Router ID = {}\n", core.vrid);
    out += fmt::format("   Priority = {}\n", core.priority);
    out += fmt::format("   Effective priority = {}\n", s.effectivePriority);
    out += fmt::format("   Total priority = {}\n", s.effectivePriority);
    out += "   Advert interval = " + advertInterval(core) + "\n";
    out += fmt::format("   Accept = {}\n", enabled(core.acceptMode));
    out += fmt::format("   Preempt = {}\n", enabled(core.preempt));
    if (core.preemptDelay.count() > 0) out += fmt::format("   Preempt delay = {} secs\n", seconds(core.preemptDelay));
    out += "   Promote_secondaries = disabled\n";
    if (core.version == vrrp::Version::V2 && spec.authType == vrrp::AuthType::None)
        out += "   Authentication type = none\n";  // v3 has no authentication: no line
    if (spec.authType == vrrp::AuthType::SimplePassword) {
        out += "   Authentication type = SIMPLE_PASSWORD\n";
        std::string pass(reinterpret_cast<const char*>(spec.authData.data()), spec.authData.size());
        pass = pass.substr(0, pass.find('\0'));
        out += "   Password = " + pass + "\n";
    }
    const bool set = s.state == RouterState::Master;
    out += fmt::format("   Virtual IP ({}):\n", spec.vips.size());
    for (const auto& vip : spec.vips) out += "     " + vipLine(vip, s.interfaceName, set) + "\n";
    if (!spec.unicastPeers.empty()) {
        // the engine sends with TTL 255 and accepts any unicast TTL (min_ttl/max_ttl are not applied)
        out += "   Unicast TTL = 255\n";
        out += std::string("   Check unicast src : ") + yesNo(spec.checkUnicastSource) + "\n";
        out += "   Unicast Peer :\n";
        for (const auto& p : spec.unicastPeers) out += "     " + p.toString() + " min_ttl 0 max_ttl 255\n";
        out += "   Unicast checksum compatibility = no\n";
    }
    if (!spec.trackInterfaces.empty()) {
        out += "   Tracked interfaces :\n";
        for (const auto& t : spec.trackInterfaces) out += fmt::format("     {} weight {}\n", t.name, t.weight);
    }
    if (!spec.trackScripts.empty()) {
        out += "   Tracked scripts :\n";
        for (const auto& t : spec.trackScripts) out += fmt::format("     {} weight {}\n", t.name, t.weight);
    }
    out += "   Using smtp notification = no\n";
    out += "   Notify deleted = Fault\n";
    out += "   Notify priority changes = false\n";
}

void renderCheckers(std::string& out, const DumpInput& in) {
    out += "------< LVS Topology >------\n";
    out += " System is compiled with LVS v1.2.1\n";
    for (const auto& vs : in.virtualServers) {
        out += " ------< Virtual server >------\n";
        if (vs.protocol == "fwmark") {
            out += " VS FWMARK = " + vs.address + "\n";
        } else {
            auto [host, port] = splitHostPort(vs.address);
            out += " VS VIP = " + host + ", VPORT = " + port + "\n";
            out += std::string("   Address family = ") +
                   (host.find(':') != std::string::npos ? "inet6" : "inet") + "\n";
        }
        out += "   lvs_sched = " + vs.scheduler + "\n";
        if (vs.persistent) out += fmt::format("   persistence timeout = {}\n", vs.persistenceTimeout);
        if (vs.protocol != "fwmark") {
            std::string proto = vs.protocol;
            for (auto& ch : proto) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            out += "   protocol = " + proto + "\n";
        }
        if (!vs.realServers.empty())
            out += "   default forwarding method = " + forwardingName(vs.realServers.front().forwarding) + "\n";
        out += fmt::format("   alive = {}\n", vs.quorumUp ? 1 : 0);
        out += fmt::format("   quorum_state_up = {}\n", vs.quorumUp ? 1 : 0);
        for (const auto& rs : vs.realServers) {
            auto [host, port] = splitHostPort(rs.address);
            out += "   ------< Real server >------\n";
            out += fmt::format("   RIP = {}, RPORT = {}, WEIGHT = {} EFF WEIGHT = {}\n", host, port,
                               rs.configuredWeight, rs.weight);
            out += "   forwarding method = " + forwardingName(rs.forwarding) + "\n";
            out += fmt::format("   initial weight = {}\n", rs.configuredWeight);
            out += fmt::format("   effective weight = {}\n", rs.weight);
            out += fmt::format("   alive = {}\n", rs.up ? 1 : 0);
            out += fmt::format("   num failed checkers = {}\n", !rs.checker.empty() && !rs.up ? 1 : 0);
            out += fmt::format("   RS set = {}\n", rs.up && !rs.disabled ? 1 : 0);
        }
    }
    out += "------< Health checkers >------\n";
    for (const auto& vs : in.virtualServers) {
        if (vs.protocol == "fwmark") continue;  // keepalived names these by fwmark; not printed here yet
        for (const auto& rs : vs.realServers) {
            if (rs.checker.empty()) continue;
            out += " " + bracketed(vs.address, vs.protocol) + " -> " + bracketed(rs.address, vs.protocol) + "\n";
            out += fmt::format("   Enabled = {}\n", yesNo(!rs.disabled));
            out += fmt::format("   Up = {}\n", yesNo(rs.up));
            out += fmt::format("   Has run = {}\n", yesNo(rs.lastCheckDurationSeconds >= 0));
            out += "   Keepalive method = " + rs.checker + "\n";
        }
    }
}

}  // namespace

InstanceStats statsOf(const vrrp::InstanceStatus& instance) {
    const auto& c = instance.counters;
    InstanceStats s;
    s.advertRcvd = c.advertsReceived;
    s.advertSent = c.advertsSent;
    s.becomeMaster = c.becameMaster;
    s.releaseMaster = c.releasedMaster;
    s.packetLenErr = c.dropped(DropReason::LengthMismatch) + c.dropped(DropReason::Truncated);
    s.advertIntervalErr = c.dropped(DropReason::AdverIntervalMismatch) + c.dropped(DropReason::ZeroAdverInterval);
    s.ipTtlErr = c.dropped(DropReason::TtlNot255);
    s.invalidTypeRcvd = c.dropped(DropReason::UnknownType);
    s.addrListErr = c.dropped(DropReason::AddressListMismatch);
    s.invalidAuthtype = c.dropped(DropReason::AhHeaderMissing);
    s.authtypeMismatch = c.dropped(DropReason::AuthTypeMismatch);
    s.authFailure = c.dropped(DropReason::PasswordMismatch);
    s.priZeroRcvd = c.priorityZeroReceived;
    s.priZeroSent = c.priorityZeroSent;
    return s;
}

InstanceStats since(const InstanceStats& now, const InstanceStats& b) {
    // A counter below its baseline means the instance was restarted by a reload: count from zero again.
    auto d = [](std::uint64_t n, std::uint64_t base) { return n >= base ? n - base : n; };
    return {d(now.advertRcvd, b.advertRcvd),           d(now.advertSent, b.advertSent),
            d(now.becomeMaster, b.becomeMaster),       d(now.releaseMaster, b.releaseMaster),
            d(now.packetLenErr, b.packetLenErr),       d(now.advertIntervalErr, b.advertIntervalErr),
            d(now.ipTtlErr, b.ipTtlErr),               d(now.invalidTypeRcvd, b.invalidTypeRcvd),
            d(now.addrListErr, b.addrListErr),         d(now.invalidAuthtype, b.invalidAuthtype),
            d(now.authtypeMismatch, b.authtypeMismatch), d(now.authFailure, b.authFailure),
            d(now.priZeroRcvd, b.priZeroRcvd),         d(now.priZeroSent, b.priZeroSent)};
}

StatsBaseline clearStats(const DumpInput& input) {
    StatsBaseline b;
    for (const auto& i : input.instances) b[i.status.name] = statsOf(i.status);
    return b;
}

namespace {
InstanceStats current(const DumpInstance& i, const StatsBaseline& baseline) {
    auto now = statsOf(i.status);
    auto it = baseline.find(i.status.name);
    return it == baseline.end() ? now : since(now, it->second);
}
}  // namespace

int jsonStateNumber(std::optional<RouterState> state) {
    if (!state) return 0;
    switch (*state) {
        case RouterState::Initialize: return 0;
        case RouterState::Backup: return 1;
        case RouterState::Master: return 2;
        case RouterState::Fault: return 3;
    }
    return 0;
}

std::string renderData(const DumpInput& in) {
    std::string out;
    out += "------< Global definitions >------\n";
    out += " Network namespace = (default)\n";
    out += " Router ID = " + in.routerId + "\n";
    if (in.vrrp) {
        out += "------< VRRP Topology >------\n";
        for (const auto& i : in.instances) renderVrrpInstance(out, i);
        if (!in.scripts.empty()) {
            out += "------< VRRP Scripts >------\n";
            for (const auto& s : in.scripts) {
                out += " VRRP Script = " + s.name + "\n";
                out += std::string("   Status = ") + (s.up ? (*s.up ? "GOOD" : "BAD") : "INIT") + "\n";
                out += "   Tracking instances :\n";
                for (const auto& t : s.trackedBy) out += "     " + t + "\n";
                out += "   State = idle\n";
            }
        }
    }
    if (in.checkers) renderCheckers(out, in);
    return out;
}

std::string renderStats(const DumpInput& in, const StatsBaseline& baseline) {
    std::string out;
    for (const auto& i : in.instances) {
        const auto s = current(i, baseline);
        out += "VRRP Instance: " + i.status.name + "\n";
        out += fmt::format("  Advertisements:\n    Received: {}\n    Sent: {}\n", s.advertRcvd, s.advertSent);
        out += fmt::format("  Became master: {}\n  Released master: {}\n", s.becomeMaster, s.releaseMaster);
        out += fmt::format(
            "  Packet Errors:\n    Length: {}\n    TTL: {}\n    Invalid Type: {}\n    Advertisement Interval: {}\n"
            "    Address List: {}\n",
            s.packetLenErr, s.ipTtlErr, s.invalidTypeRcvd, s.advertIntervalErr, s.addrListErr);
        out += fmt::format("  Authentication Errors:\n    Invalid Type: {}\n    Type Mismatch: {}\n    Failure: {}\n",
                           s.invalidAuthtype, s.authtypeMismatch, s.authFailure);
        out += fmt::format("  Priority Zero:\n    Received: {}\n    Sent: {}\n", s.priZeroRcvd, s.priZeroSent);
    }
    return out;
}

std::string renderJson(const DumpInput& in, const StatsBaseline& baseline) {
    auto all = nlohmann::ordered_json::array();
    for (const auto& i : in.instances) {
        const auto& st = i.status;
        const auto& spec = st.spec;
        const auto& core = spec.core;
        nlohmann::ordered_json d;
        d["iname"] = st.name;
        d["dont_track_primary"] = 0;
        d["skip_check_adv_addr"] = spec.checkAdvertAddresses ? 0 : 1;
        d["strict_mode"] = 0;
        d["vmac_ifname"] = spec.vmac.value_or("");
        d["ifp_ifname"] = st.interfaceName;
        d["master_priority"] = st.state == RouterState::Backup ? st.counters.lastMasterPriority : 0;
        d["last_transition"] = i.lastTransitionEpoch;
        d["garp_delay"] = static_cast<long long>(seconds(core.garpMasterDelay));
        d["garp_refresh"] = static_cast<long long>(seconds(core.garpMasterRefresh));
        d["garp_rep"] = core.garpMasterRepeat;
        d["garp_refresh_rep"] = core.garpMasterRefreshRepeat;
        d["garp_lower_prio_delay"] = static_cast<long long>(seconds(core.garpLowerPrioDelay));
        d["garp_lower_prio_rep"] = core.garpLowerPrioRepeat;
        d["lower_prio_no_advert"] = core.lowerPrioNoAdvert ? 1 : 0;
        d["higher_prio_send_advert"] = core.higherPrioSendAdvert ? 1 : 0;
        d["vrid"] = core.vrid;
        d["base_priority"] = core.priority;
        d["effective_priority"] = st.effectivePriority;
        d["vipset"] = st.state == RouterState::Master;
        d["promote_secondaries"] = false;
        const auto interval = [](vrrp::Centiseconds c) -> nlohmann::ordered_json {
            if (c.count() % 100 == 0) return c.count() / 100;
            return static_cast<double>(c.count()) / 100.0;
        };
        d["adver_int"] = interval(core.advertisementInterval);
        d["master_adver_int"] =
            interval(st.masterAdverInterval.count() > 0 ? st.masterAdverInterval : core.advertisementInterval);
        d["accept"] = core.acceptMode ? 1 : 0;
        d["nopreempt"] = !core.preempt;
        d["preempt_delay"] = static_cast<long long>(seconds(core.preemptDelay));
        d["state"] = jsonStateNumber(st.state);
        d["wantstate"] = jsonStateNumber(st.state);
        d["version"] = core.version == vrrp::Version::V2 ? 2 : 3;
        d["smtp_alert"] = false;
        d["notify_deleted"] = false;
        auto vips = nlohmann::ordered_json::array();
        for (const auto& v : spec.vips) vips.push_back(vipLine(v, st.interfaceName, st.state == RouterState::Master));
        d["vips"] = vips;
        d["auth_type"] = static_cast<int>(spec.authType);
        if (spec.authType == vrrp::AuthType::SimplePassword) {
            std::string pass(reinterpret_cast<const char*>(spec.authData.data()), spec.authData.size());
            d["auth_data"] = pass.substr(0, pass.find('\0'));
        }
        const auto s = current(i, baseline);
        nlohmann::ordered_json stats;
        stats["advert_rcvd"] = s.advertRcvd;
        stats["advert_sent"] = s.advertSent;
        stats["become_master"] = s.becomeMaster;
        stats["release_master"] = s.releaseMaster;
        stats["packet_len_err"] = s.packetLenErr;
        stats["advert_interval_err"] = s.advertIntervalErr;
        stats["ip_ttl_err"] = s.ipTtlErr;
        stats["invalid_type_rcvd"] = s.invalidTypeRcvd;
        stats["addr_list_err"] = s.addrListErr;
        stats["invalid_authtype"] = s.invalidAuthtype;
        stats["authtype_mismatch"] = s.authtypeMismatch;
        stats["auth_failure"] = s.authFailure;
        stats["pri_zero_rcvd"] = s.priZeroRcvd;
        stats["pri_zero_sent"] = s.priZeroSent;
        nlohmann::ordered_json entry;
        entry["data"] = std::move(d);
        entry["stats"] = std::move(stats);
        all.push_back(std::move(entry));
    }
    return all.dump();
}

}  // namespace ipvsd::ops
