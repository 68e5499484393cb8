#include "healthcheck/dns_message.h"

#include <algorithm>

namespace ipvsd::healthcheck {

std::uint16_t dnsTypeCode(conf::DnsType type) {
    switch (type) {
    case conf::DnsType::A: return 1;
    case conf::DnsType::Ns: return 2;
    case conf::DnsType::Cname: return 5;
    case conf::DnsType::Soa: return 6;
    case conf::DnsType::Mx: return 15;
    case conf::DnsType::Txt: return 16;
    case conf::DnsType::Aaaa: return 28;
    case conf::DnsType::Rrsig: return 46;
    case conf::DnsType::Dnskey: return 48;
    }
    return 6;
}

std::optional<std::vector<std::uint8_t>> buildDnsQuery(std::uint16_t id, std::string_view name, std::uint16_t type,
                                                       std::string& error) {
    std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id & 0xff),
                                   0x01, 0x00,  // RD
                                   0, 1, 0, 0, 0, 0, 0, 0};
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::size_t encoded = 1;
    while (!name.empty()) {
        const std::size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        if (label.empty() || label.size() > 63) {
            error = "DNS name has an empty label or one longer than 63 octets";
            return std::nullopt;
        }
        encoded += label.size() + 1;
        if (encoded > 255) {
            error = "DNS name longer than 255 octets";
            return std::nullopt;
        }
        q.push_back(static_cast<std::uint8_t>(label.size()));
        q.insert(q.end(), label.begin(), label.end());
        name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
        if (dot != std::string_view::npos && name.empty()) {
            error = "DNS name has an empty label";
            return std::nullopt;
        }
    }
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(type >> 8));
    q.push_back(static_cast<std::uint8_t>(type & 0xff));
    q.push_back(0);
    q.push_back(1);  // class IN
    return q;
}

std::string checkDnsReply(std::span<const std::uint8_t> reply, std::span<const std::uint8_t> query) {
    if (reply.size() < 12) return "DNS reply shorter than its header (" + std::to_string(reply.size()) + " octets)";
    if (query.size() < 12) return "bad query";
    if (reply[0] != query[0] || reply[1] != query[1]) return "DNS reply id mismatch";
    if (!(reply[2] & 0x80)) return "DNS reply is not a response (QR clear)";
    if ((reply[2] & 0x78) != 0) return "DNS reply opcode is not QUERY";
    const unsigned rcode = reply[3] & 0x0f;
    if (rcode != 0) return "DNS reply RCODE " + std::to_string(rcode);
    const unsigned qdcount = (unsigned{reply[4]} << 8) | reply[5];
    const unsigned ancount = (unsigned{reply[6]} << 8) | reply[7];
    if (qdcount != 1) return "DNS reply question count " + std::to_string(qdcount);
    // The question section must be ours octet for octet, but for the case of the name (RFC 4343).
    const auto question = query.subspan(12);
    if (reply.size() < 12 + question.size()) return "DNS reply truncated in its question";
    const auto echoed = reply.subspan(12, question.size());
    auto lower = [](std::uint8_t c) { return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c; };
    if (!std::equal(question.begin(), question.end(), echoed.begin(),
                    [&](std::uint8_t a, std::uint8_t b) { return lower(a) == lower(b); })) {
        return "DNS reply question differs from the query";
    }
    if (ancount == 0) return "DNS reply has no answer";
    if (reply.size() == 12 + question.size()) return "DNS reply truncated before its answers";
    return {};
}

}  // namespace ipvsd::healthcheck
