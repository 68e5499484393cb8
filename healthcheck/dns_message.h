// DNS_CHECK's query and the checks on its reply (RFC 1035 4.1): one question (type, name; default SOA .),
// RD set; the reply must carry our id, QR, opcode QUERY, RCODE NOERROR (0), echo our question, and hold at
// least one answer record. Pure byte-buffer codec: no sockets.
#pragma once

#include "conf/model/check.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipvsd::healthcheck {

std::uint16_t dnsTypeCode(conf::DnsType type);  // A 1, NS 2, CNAME 5, SOA 6, MX 15, TXT 16, AAAA 28, ...

// Null and an error for names that cannot be encoded (label > 63 octets, name > 255 octets, empty label).
std::optional<std::vector<std::uint8_t>> buildDnsQuery(std::uint16_t id, std::string_view name, std::uint16_t type,
                                                       std::string& error);

// Empty string when the reply is acceptable, else why not.
std::string checkDnsReply(std::span<const std::uint8_t> reply, std::span<const std::uint8_t> query);

}  // namespace ipvsd::healthcheck
