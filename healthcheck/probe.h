// Probes (STYLE.md lesson 6): a probe does ONE attempt and completes with {ok, reason, latency
// [, dynamicWeight]}; the HealthTracker decides what it means. Every attempt runs on the caller's
// io_context, never blocks it, and is bounded: each network operation by connect_timeout, the whole
// attempt by `attemptLimit`. Destroying a probe (or cancel()) ends its attempt without calling back.
#pragma once

#include "conf/model/lvs.h"
#include "conf/script_user.h"
#include "healthcheck/tracker.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ipvsd::healthcheck {

namespace asio = boost::asio;

class BfdStateBoard;  // bfd_probe.h

using ProbeCallback = std::function<void(ProbeResult)>;

// Where and how a probe connects: connect_ip/connect_port (default: the real server's), bindto,
// bind_port, bind_if (SO_BINDTODEVICE), fwmark (SO_MARK).
struct ProbeTarget {
    asio::ip::address address;
    std::uint16_t port = 0;
    std::optional<asio::ip::address> bindTo;
    std::uint16_t bindPort = 0;
    std::string bindIf;
    std::optional<std::uint32_t> fwmark;
    Duration connectTimeout = std::chrono::seconds(5);
    Duration attemptLimit = std::chrono::seconds(60);  // the whole attempt, however the peer paces it
};

asio::ip::address toAsio(const conf::IpAddress& address);
std::string describe(const ProbeTarget& target);  // "[IP]:PORT" as keepalived logs it

// The target of a checker of a real server of a virtual server, after keepalived's defaults.
ProbeTarget targetFor(const conf::Checker& checker, const conf::RealServer& realServer,
                      const conf::VirtualServer& virtualServer);

class Probe {
public:
    virtual ~Probe() = default;
    // Starts one attempt; `done` is called exactly once, from the io_context, unless the probe is
    // cancelled or destroyed first. Starting while an attempt runs cancels that attempt.
    virtual void start(ProbeCallback done) = 0;
    virtual void cancel() = 0;
    // Told before each attempt whether the tracker holds the checker up. HTTP_GET without fast_recovery
    // checks one url per attempt while the checker is down (keepalived.conf(5)); others ignore it.
    virtual void setCheckerUp(bool up) { (void)up; }
};

// SSL_GET's client context settings (the SSL block), shared by all SSL_GET probes.
struct SslSettings {
    std::optional<std::string> ca, certificate, key, password;
};

// What probes share beyond one checker's options.
struct ProbeLimits {
    std::size_t maxBody = 1024 * 1024;  // HTTP body octets; more fails the check
    std::shared_ptr<asio::ssl::context> tls;  // SSL_GET's context (from the SSL block); null: a default one
    // SMTP_CHECK without helo_name: keepalived 2.2.7 sends "HELO smtpchecker.keepalived.org" (seen in the VM)
    std::string heloName = "smtpchecker.keepalived.org";
    std::function<std::optional<std::string>(const std::string&)> trackFilePath;  // track_file name -> file
    // Who runs a MISC_CHECK script that names no user (conf/script_user.h; addConfiguredCheckers sets it
    // from global_defs); unset: the daemon's own identity.
    std::optional<conf::ScriptPolicy> scriptPolicy;
    // BFD_CHECK: the BFD sessions' states (bfd_probe.h); null: BFD does not run and BFD_CHECK is skipped
    std::shared_ptr<BfdStateBoard> bfd;
};

// A probe for one checker. Null with `error` set for checker types without a probe here (BFD_CHECK) or
// options that cannot be used (a bad regex, an unknown DNS name).
std::unique_ptr<Probe> makeProbe(asio::io_context& io, const conf::Checker& checker, const conf::RealServer& realServer,
                                 const conf::VirtualServer& virtualServer, const ProbeLimits& limits, std::string& error);

}  // namespace ipvsd::healthcheck
