// Health checkers of a real server: TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK,
// UDP_CHECK, PING_CHECK, FILE_CHECK and BFD_CHECK, typed for the healthcheck layer.
//
// A configuration may hold 100 000 real servers with a checker each, so a Checker is compact: the options
// every checker has are held by value; connection details other than connect_timeout, and everything
// specific to one checker type, sit behind a pointer that is null when nothing was configured.
#pragma once

#include "conf/address.h"
#include "conf/diagnostics.h"
#include "conf/model/script.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ipvsd::conf {

enum class CheckerType : std::uint8_t { Tcp, Http, Ssl, Misc, Smtp, Dns, Udp, Ping, File, Bfd };

// connect_ip, connect_port, bindto, bind_port, bind_if, fwmark.
struct ConnectOptions {
    std::optional<IpAddress> connectIp;
    std::optional<std::uint16_t> connectPort;
    std::optional<IpAddress> bindTo;
    std::optional<std::uint16_t> bindPort;
    std::optional<std::string> bindIf;
    std::optional<std::uint32_t> fwmark;  // SO_MARK on the checker's socket
    bool operator==(const ConnectOptions&) const = default;
};

// What a checker (or an SMTP_CHECK host block) may set besides connect_timeout; rarely set per checker,
// so held behind a pointer. Unset values fall back to the real server's, then the virtual server's, then
// the checker type's default (keepalived's inheritance).
struct CheckerSettings {
    std::optional<std::uint64_t> delayLoopUs;
    std::optional<std::uint64_t> delayBeforeRetryUs;
    std::optional<std::uint64_t> warmupUs;
    std::optional<std::uint32_t> retry;
    std::optional<bool> alpha;
    std::optional<bool> logAllFailures;
    ConnectOptions connect;
    bool operator==(const CheckerSettings&) const = default;
};

// HTTP status codes accepted by a url, as written: `status_code 200 300-399`.
struct StatusRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    bool operator==(const StatusRange&) const = default;
};

enum class HttpProtocol : std::uint8_t { Http10, Http11, Http10Close };

struct HttpUrl {
    Location where;
    std::optional<std::string> path;
    std::optional<std::array<std::uint8_t, 16>> digest;  // MD5 of the body
    std::vector<StatusRange> statusCodes;                // empty: 200-299
    std::optional<std::string> virtualhost;
    std::optional<std::string> regex;  // PCRE2 pattern
    bool regexNoMatch = false;
    std::vector<std::string> regexOptions;  // PCRE2 option names as written
    std::optional<std::uint64_t> regexMinOffset;
    std::optional<std::uint64_t> regexMaxOffset;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> regexStack;  // JIT stack start, max
    bool operator==(const HttpUrl& o) const {
        return path == o.path && digest == o.digest && statusCodes == o.statusCodes &&
               virtualhost == o.virtualhost && regex == o.regex && regexNoMatch == o.regexNoMatch &&
               regexOptions == o.regexOptions && regexMinOffset == o.regexMinOffset &&
               regexMaxOffset == o.regexMaxOffset && regexStack == o.regexStack;
    }
};

struct HttpCheck {
    std::vector<HttpUrl> urls;
    std::optional<std::string> virtualhost;
    std::optional<HttpProtocol> protocol;  // default 1.0
    std::optional<bool> enableSni;
    std::optional<bool> fastRecovery;
    bool operator==(const HttpCheck&) const = default;
};

struct MiscCheck {
    std::optional<ScriptCommand> script;          // misc_path
    std::optional<std::uint32_t> timeoutSeconds;  // misc_timeout; 0 or unset: delay_loop
    bool dynamic = false;                         // misc_dynamic: exit status - 2 is the new weight
    std::optional<std::string> user;              // user USER [GROUP]
    std::optional<std::string> group;
    bool operator==(const MiscCheck&) const = default;
};

// A deprecated `host { ... }` block of SMTP_CHECK: one more server to check, same options as a checker.
struct SmtpHost {
    Location where;
    std::optional<std::uint32_t> connectTimeoutUs;
    CheckerSettings settings;
    bool operator==(const SmtpHost& o) const {
        return connectTimeoutUs == o.connectTimeoutUs && settings == o.settings;
    }
};

struct SmtpCheck {
    std::optional<std::string> heloName;
    std::vector<SmtpHost> hosts;
    bool operator==(const SmtpCheck&) const = default;
};

enum class DnsType : std::uint8_t { A, Ns, Cname, Soa, Mx, Txt, Aaaa, Rrsig, Dnskey };

struct DnsCheck {
    std::optional<DnsType> type;      // default SOA
    std::optional<std::string> name;  // default "."
    bool operator==(const DnsCheck&) const = default;
};

struct UdpCheck {
    std::optional<std::vector<std::uint8_t>> payload;
    bool requireReply = false;
    std::vector<std::uint8_t> replyData;  // compared octet by octet with the reply
    std::vector<std::uint8_t> replyMask;  // set bits are "don't care" (x nibbles); empty: no wildcard
    std::optional<std::uint16_t> minReplyLength;
    std::optional<std::uint16_t> maxReplyLength;  // default 255
    bool operator==(const UdpCheck&) const = default;
};

struct FileCheck {
    std::optional<std::string> trackFile;  // name of a track_file block
    std::optional<std::int32_t> weight;    // default: the track_file's own weight
    bool reverse = false;
    bool operator==(const FileCheck&) const = default;
};

struct BfdCheck {
    std::optional<std::string> name;  // name of a bfd_instance
    bool operator==(const BfdCheck&) const = default;
};

using CheckerDetail = std::variant<HttpCheck, MiscCheck, SmtpCheck, DnsCheck, UdpCheck, FileCheck, BfdCheck>;

// 32 bytes: a real server's usual TCP_CHECK { connect_timeout N } allocates nothing more.
struct Checker {
    CheckerType type = CheckerType::Tcp;
    std::optional<std::uint32_t> connectTimeoutUs;  // [1 us, 4294.967295 s]
    std::unique_ptr<CheckerSettings> settings;      // null: nothing else set
    std::unique_ptr<CheckerDetail> detail;          // null for TCP_CHECK and PING_CHECK

    CheckerSettings& mutableSettings() {
        if (!settings) settings = std::make_unique<CheckerSettings>();
        return *settings;
    }
    template <class D>
    const D* as() const {
        return detail ? std::get_if<D>(detail.get()) : nullptr;
    }
    template <class D>
    D& mutableAs() {
        if (!detail || !std::holds_alternative<D>(*detail)) detail = std::make_unique<CheckerDetail>(D{});
        return std::get<D>(*detail);
    }
    bool operator==(const Checker& o) const {
        auto same = [](const auto& a, const auto& b) { return a ? (b && *a == *b) : !b; };
        return type == o.type && connectTimeoutUs == o.connectTimeoutUs && same(settings, o.settings) &&
               same(detail, o.detail);
    }
};

}  // namespace ipvsd::conf
