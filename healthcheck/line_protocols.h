// SMTP_CHECK's reply reader and UDP_CHECK's reply matcher: pure helpers of the probes.
#pragma once

#include "conf/model/check.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ipvsd::healthcheck {

// Collects an SMTP reply (RFC 5321 4.2: "CODE-text" continuation lines, then "CODE text"), bounded.
class SmtpReplyReader {
public:
    static constexpr std::size_t kMaxReply = 8192;
    enum class State : std::uint8_t { Incomplete, Complete, Error };
    State feed(std::string_view data);  // after Complete/Error, further data is ignored
    unsigned code() const { return code_; }
    const std::string& error() const { return error_; }
    void reset();

private:
    std::string pending_;
    std::size_t total_ = 0;
    unsigned code_ = 0;
    State state_ = State::Incomplete;
    std::string error_;
};

// The SMTP_CHECK dialogue: banner 220, HELO -> 250, QUIT -> 221.
std::string smtpHelo(std::string_view heloName);
inline constexpr std::string_view kSmtpQuit = "QUIT\r\n";

// UDP_CHECK: empty when the reply is acceptable: its length within [min_reply_length, max_reply_length]
// and, if require_reply has data, equal to it (but for the mask's don't-care bits) over the shorter length.
std::string checkUdpReply(std::span<const std::uint8_t> reply, const conf::UdpCheck& check);

}  // namespace ipvsd::healthcheck
