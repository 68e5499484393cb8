// The pure half of HTTP_GET/SSL_GET: the request keepalived 2.2.7 sends (observed with genhash: `GET PATH
// HTTP/1.0`, `User-Agent: KeepAliveClient`, `Connection: close` for 1.1 and 1.0C, `Host: VHOST` or
// `Host: IP:PORT`), status_code lists and ranges, the MD5 digest of the body and the body regex.
#pragma once

#include "conf/model/check.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::healthcheck {

using Md5Digest = std::array<std::uint8_t, 16>;

// Incremental MD5 (OpenSSL EVP): the digest keepalived compares and genhash prints.
class Md5 {
public:
    Md5();
    ~Md5();
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;
    void update(std::string_view data);
    Md5Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

Md5Digest md5(std::string_view data);
std::string toHex(const Md5Digest& digest);  // 32 lower-case hex digits, as genhash prints

// The Host header: the virtualhost if set, else "IP:PORT" ("[IPv6]:PORT").
std::string hostHeader(const std::optional<std::string>& virtualhost, const conf::IpAddress& address,
                       std::uint16_t port);
std::string buildRequest(std::string_view path, std::string_view host, conf::HttpProtocol protocol);

// status_code: empty list means 200-299.
bool statusAccepted(unsigned status, const std::vector<conf::StatusRange>& accepted);

// A url's regex, compiled once with PCRE2 as keepalived does, with the regex_options it accepts.
// Matching is bounded by PCRE2's match and depth limits, so a pathological pattern fails the check
// instead of stalling the loop.
class BodyRegex {
public:
    // Null plus an error message when the pattern or an option cannot be used.
    static std::shared_ptr<const BodyRegex> compile(const conf::HttpUrl& url, std::string& error);
    // True when the check passes: the pattern matches (or, with regex_no_match, does not). The search
    // starts at regex_min_offset; regex_max_offset bounds where a match may start.
    bool passes(std::string_view body) const;
    static constexpr std::uint32_t kMatchLimit = 1'000'000;
    static constexpr std::uint32_t kDepthLimit = 10'000;

    struct Impl;
    explicit BodyRegex(std::unique_ptr<Impl> impl);
    ~BodyRegex();

private:
    std::unique_ptr<Impl> impl_;
};

// One url's verdict on a complete response: empty when it passes, else the failure reason.
struct UrlVerdict {
    bool ok = false;
    std::string reason;
};
UrlVerdict judgeResponse(const conf::HttpUrl& url, unsigned status, std::string_view body,
                         const BodyRegex* regex);

}  // namespace ipvsd::healthcheck
