// The probe of each checker type (one translation unit each); makeProbe() picks one from the config.
#pragma once

#include "healthcheck/http_fetch.h"
#include "healthcheck/http_match.h"
#include "healthcheck/probe.h"

#include <vector>

namespace ipvsd::healthcheck {

std::unique_ptr<Probe> makeTcpProbe(asio::io_context& io, ProbeTarget target);

struct HttpUrlCheck {
    conf::HttpUrl url;
    std::string request;
    std::shared_ptr<const BodyRegex> regex;
};
struct HttpProbeSpec {
    ProbeTarget target;
    std::vector<HttpUrlCheck> urls;
    std::shared_ptr<asio::ssl::context> tls;  // SSL_GET
    std::optional<std::string> sniHost;
    std::size_t maxBody = 1024 * 1024;
    bool fastRecovery = false;
};
// Null with `error` when a url cannot be checked (bad regex).
std::unique_ptr<Probe> makeHttpProbe(asio::io_context& io, const conf::HttpCheck& check, ProbeTarget target,
                                     std::optional<std::string> defaultVirtualhost,
                                     std::shared_ptr<asio::ssl::context> tls, const ProbeLimits& limits,
                                     std::string& error);

struct MiscProbeSpec {
    std::vector<std::string> args;  // argv; args[0] is the program
    std::optional<std::string> user, group;  // no user: the daemon's own identity
    bool secure = false;                     // enable_script_security: refuse a script non-root can write
    Duration timeout = std::chrono::seconds(60);  // misc_timeout, else delay_loop
    bool dynamic = false;                         // misc_dynamic
};
std::unique_ptr<Probe> makeMiscProbe(asio::io_context& io, MiscProbeSpec spec);

std::unique_ptr<Probe> makeSmtpProbe(asio::io_context& io, ProbeTarget target, std::string heloName);
std::unique_ptr<Probe> makeDnsProbe(asio::io_context& io, ProbeTarget target, std::string name, std::uint16_t type);
std::unique_ptr<Probe> makeUdpProbe(asio::io_context& io, ProbeTarget target, conf::UdpCheck check);
std::unique_ptr<Probe> makePingProbe(asio::io_context& io, ProbeTarget target);
// FILE_CHECK: reads the track file's number (a missing or unreadable file reads as 0, as keepalived).
std::unique_ptr<Probe> makeFileProbe(asio::io_context& io, std::string path);

}  // namespace ipvsd::healthcheck
