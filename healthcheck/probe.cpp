#include "healthcheck/bfd_probe.h"
#include "healthcheck/policy.h"
#include "healthcheck/probes.h"

#include "healthcheck/dns_message.h"

#include <net/if.h>

namespace ipvsd::healthcheck {

asio::ip::address toAsio(const conf::IpAddress& address) {
    if (address.isV6()) {
        asio::ip::address_v6::bytes_type b;
        std::copy(address.bytes.begin(), address.bytes.end(), b.begin());
        return asio::ip::address_v6(b);
    }
    asio::ip::address_v4::bytes_type b;
    std::copy(address.bytes.begin(), address.bytes.begin() + 4, b.begin());
    return asio::ip::address_v4(b);
}

std::string describe(const ProbeTarget& target) {
    return "[" + target.address.to_string() + "]:" + std::to_string(target.port);
}

ProbeTarget targetFor(const conf::Checker& checker, const conf::RealServer& rs, const conf::VirtualServer& vs) {
    ProbeTarget t;
    const conf::ConnectOptions none;
    const conf::ConnectOptions& c = checker.settings ? checker.settings->connect : none;
    t.address = toAsio(c.connectIp.value_or(rs.address));
    t.port = c.connectPort.value_or(rs.port != 0 ? rs.port : vs.port);
    if (c.bindTo) t.bindTo = toAsio(*c.bindTo);
    t.bindPort = c.bindPort.value_or(0);
    t.bindIf = c.bindIf.value_or("");
    if (!t.bindIf.empty() && t.address.is_v6() && t.address.to_v6().is_link_local()) {
        // keepalived.conf(5): bind_if is "needed if the bindto address is IPv6 link local"; the
        // destination of a link-local connect needs the interface as its scope too
        auto v6 = t.address.to_v6();
        v6.scope_id(::if_nametoindex(t.bindIf.c_str()));
        t.address = v6;
    }
    t.fwmark = c.fwmark;
    t.connectTimeout = connectTimeoutFor(checker, rs, vs);
    // The whole attempt may take a delay_loop (and never less than connect_timeout): an attempt that
    // outlives its period would overlap the next one.
    t.attemptLimit = std::max(policyFor(checker, rs, vs).delayLoop, t.connectTimeout);
    return t;
}

std::unique_ptr<Probe> makeProbe(asio::io_context& io, const conf::Checker& checker, const conf::RealServer& rs,
                                 const conf::VirtualServer& vs, const ProbeLimits& limits, std::string& error) {
    const ProbeTarget target = targetFor(checker, rs, vs);
    switch (checker.type) {
    case conf::CheckerType::Tcp:
        return makeTcpProbe(io, target);
    case conf::CheckerType::Http:
    case conf::CheckerType::Ssl: {
        const conf::HttpCheck none;
        const conf::HttpCheck* http = checker.as<conf::HttpCheck>();
        std::optional<std::string> vhost = rs.more && rs.more->virtualhost ? rs.more->virtualhost : vs.virtualhost;
        std::shared_ptr<asio::ssl::context> tls;
        if (checker.type == conf::CheckerType::Ssl) {
            tls = limits.tls;
            if (!tls) tls = makeClientTls({}, error);
            if (!tls) return nullptr;
        }
        return makeHttpProbe(io, http ? *http : none, target, vhost, tls, limits, error);
    }
    case conf::CheckerType::Misc: {
        const conf::MiscCheck* misc = checker.as<conf::MiscCheck>();
        if (!misc || !misc->script || misc->script->args.empty()) {
            error = "MISC_CHECK without misc_path";
            return nullptr;
        }
        MiscProbeSpec spec;
        spec.args = misc->script->args;
        const auto& ownUser = misc->user ? misc->user : misc->script->user;
        const auto& ownGroup = misc->user ? misc->group : misc->script->group;
        if (limits.scriptPolicy) {
            const auto as = conf::scriptRunAs(*limits.scriptPolicy, ownUser, ownGroup);
            if (!as) {
                error = "Unable to set default user for misc script '" + spec.args.front() + "' (enable_script_security "
                        "without script_user or a keepalived_script user)";
                return nullptr;
            }
            spec.user = as->user;
            spec.group = as->group;
            spec.secure = limits.scriptPolicy->security;
        } else {
            spec.user = ownUser;
            spec.group = ownGroup;
        }
        spec.dynamic = misc->dynamic;
        const auto timeout = misc->timeoutSeconds.value_or(0);
        spec.timeout = timeout != 0 ? Duration(std::chrono::seconds(timeout)) : policyFor(checker, rs, vs).delayLoop;
        return makeMiscProbe(io, std::move(spec));
    }
    case conf::CheckerType::Smtp: {
        const conf::SmtpCheck* smtp = checker.as<conf::SmtpCheck>();
        return makeSmtpProbe(io, target, smtp && smtp->heloName ? *smtp->heloName : limits.heloName);
    }
    case conf::CheckerType::Dns: {
        const conf::DnsCheck* dns = checker.as<conf::DnsCheck>();
        const std::string name = dns && dns->name ? *dns->name : ".";
        const std::uint16_t type = dnsTypeCode(dns && dns->type ? *dns->type : conf::DnsType::Soa);
        if (!buildDnsQuery(0, name, type, error)) return nullptr;
        return makeDnsProbe(io, target, name, type);
    }
    case conf::CheckerType::Udp: {
        const conf::UdpCheck none;
        const conf::UdpCheck* udp = checker.as<conf::UdpCheck>();
        return makeUdpProbe(io, target, udp ? *udp : none);
    }
    case conf::CheckerType::Ping:
        return makePingProbe(io, target);
    case conf::CheckerType::File: {
        const conf::FileCheck* file = checker.as<conf::FileCheck>();
        if (!file || !file->trackFile) {
            error = "FILE_CHECK without track_file";
            return nullptr;
        }
        const auto path = limits.trackFilePath ? limits.trackFilePath(*file->trackFile) : std::nullopt;
        if (!path) {
            error = "FILE_CHECK: unknown track_file " + *file->trackFile;
            return nullptr;
        }
        return makeFileProbe(io, *path);
    }
    case conf::CheckerType::Bfd: {
        const conf::BfdCheck* bfd = checker.as<conf::BfdCheck>();
        if (!limits.bfd) {
            error = "BFD_CHECK is not supported by the health checker (it needs the BFD engine)";
            return nullptr;
        }
        if (!bfd || !bfd->name) {
            error = "BFD_CHECK without name";
            return nullptr;
        }
        return makeBfdProbe(io, limits.bfd, *bfd->name);
    }
    }
    error = "unknown checker type";
    return nullptr;
}

}  // namespace ipvsd::healthcheck
