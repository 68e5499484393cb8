#include "healthcheck/line_protocols.h"

#include <algorithm>

namespace ipvsd::healthcheck {

void SmtpReplyReader::reset() { *this = SmtpReplyReader(); }

SmtpReplyReader::State SmtpReplyReader::feed(std::string_view data) {
    if (state_ != State::Incomplete) return state_;
    total_ += data.size();
    if (total_ > kMaxReply) {
        state_ = State::Error;
        error_ = "SMTP reply longer than " + std::to_string(kMaxReply) + " octets";
        return state_;
    }
    pending_.append(data);
    std::size_t eol;
    while ((eol = pending_.find('\n')) != std::string::npos) {
        std::string line = pending_.substr(0, eol);
        pending_.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() < 3 || !std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }) ||
            (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
            state_ = State::Error;
            error_ = "malformed SMTP reply line";
            return state_;
        }
        const unsigned code = static_cast<unsigned>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
        if (code_ != 0 && code != code_) {
            state_ = State::Error;
            error_ = "SMTP reply code changes within a multi-line reply";
            return state_;
        }
        code_ = code;
        if (line.size() == 3 || line[3] == ' ') {
            state_ = State::Complete;
            return state_;
        }
    }
    return state_;
}

std::string smtpHelo(std::string_view heloName) {
    std::string out = "HELO ";
    out += heloName;
    out += "\r\n";
    return out;
}

std::string checkUdpReply(std::span<const std::uint8_t> reply, const conf::UdpCheck& check) {
    const std::size_t minLength = check.minReplyLength.value_or(0);
    const std::size_t maxLength = check.maxReplyLength.value_or(255);
    if (reply.size() < minLength || reply.size() > maxLength) {
        return "UDP reply length " + std::to_string(reply.size()) + " outside [" + std::to_string(minLength) + ", " +
               std::to_string(maxLength) + "]";
    }
    const std::size_t n = std::min(reply.size(), check.replyData.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t mask = i < check.replyMask.size() ? check.replyMask[i] : 0;
        if ((reply[i] & ~mask & 0xff) != (check.replyData[i] & ~mask & 0xff)) {
            return "UDP reply differs from require_reply at octet " + std::to_string(i);
        }
    }
    return {};
}

}  // namespace ipvsd::healthcheck
