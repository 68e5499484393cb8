#include "healthcheck/http_match.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace ipvsd::healthcheck {

struct Md5::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Md5::Md5() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_md5(), nullptr) != 1) {
        EVP_MD_CTX_free(impl_->ctx);
        throw std::runtime_error("OpenSSL: MD5 is not available");
    }
}

Md5::~Md5() { EVP_MD_CTX_free(impl_->ctx); }

void Md5::update(std::string_view data) {
    if (!data.empty()) EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

Md5Digest Md5::finish() {
    Md5Digest out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(impl_->ctx, out.data(), &len);
    return out;
}

Md5Digest md5(std::string_view data) {
    Md5 m;
    m.update(data);
    return m.finish();
}

std::string toHex(const Md5Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (std::uint8_t b : digest) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

std::string hostHeader(const std::optional<std::string>& virtualhost, const conf::IpAddress& address,
                       std::uint16_t port) {
    if (virtualhost) return *virtualhost;
    const std::string ip = address.isV6() ? "[" + address.toString() + "]" : address.toString();
    return ip + ":" + std::to_string(port);
}

std::string buildRequest(std::string_view path, std::string_view host, conf::HttpProtocol protocol) {
    std::string req = "GET ";
    req += path.empty() ? std::string_view("/") : path;
    req += protocol == conf::HttpProtocol::Http11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
    req += "User-Agent: KeepAliveClient\r\n";
    if (protocol != conf::HttpProtocol::Http10) req += "Connection: close\r\n";
    req += "Host: ";
    req += host;
    req += "\r\n\r\n";
    return req;
}

bool statusAccepted(unsigned status, const std::vector<conf::StatusRange>& accepted) {
    if (accepted.empty()) return status >= 200 && status <= 299;
    for (const auto& r : accepted) {
        if (status >= r.first && status <= r.last) return true;
    }
    return false;
}

std::shared_ptr<const BodyRegex> BodyRegex::compile(const conf::HttpUrl& url, std::string& error) {
    if (!url.regex) {
        error = "no regex";
        return nullptr;
    }
    // __polynomial: libstdc++'s breadth-first executor, whose stack use does not grow with the subject.
    auto flags = std::regex::ECMAScript | std::regex_constants::__polynomial;
    for (const auto& option : url.regexOptions) {
        if (option == "caseless") {
            flags |= std::regex::icase;
        } else if (option == "multiline") {
            flags |= std::regex::multiline;
        } else if (option == "never_utf" || option == "no_start_optimize" || option == "no_auto_possess" ||
                   option == "no_dotstar_anchor" || option == "use_offset_limit") {
            // optimisation hints or defaults of std::regex: nothing to do
        } else {
            error = "regex option '" + option + "' is not supported";
            return nullptr;
        }
    }
    auto out = std::make_shared<BodyRegex>();
    try {
        out->regex_ = std::regex(*url.regex, flags);
    } catch (const std::regex_error& e) {
        error = "bad regex '" + *url.regex + "': " + e.what();
        return nullptr;
    }
    out->noMatch_ = url.regexNoMatch;
    out->minOffset_ = url.regexMinOffset.value_or(0);
    out->maxOffset_ = url.regexMaxOffset;
    return out;
}

bool BodyRegex::passes(std::string_view body) const {
    std::string_view subject;
    if (minOffset_ < body.size()) subject = body.substr(static_cast<std::size_t>(minOffset_));
    if (maxOffset_ && *maxOffset_ >= minOffset_) {
        // regex_max_offset bounds where a match may start; allow a window for the match itself
        const auto startSpan = static_cast<std::size_t>(*maxOffset_ - minOffset_) + 1;
        subject = subject.substr(0, std::min(subject.size(), startSpan + kMaxSubject / 2));
    }
    subject = subject.substr(0, std::min(subject.size(), kMaxSubject));
    bool matched = false;
    try {
        matched = std::regex_search(subject.begin(), subject.end(), regex_);
    } catch (const std::regex_error&) {
        matched = false;  // complexity or stack limits: treat as no match
    }
    return matched != noMatch_;
}

UrlVerdict judgeResponse(const conf::HttpUrl& url, unsigned status, std::string_view body, const BodyRegex* regex) {
    if (!statusAccepted(status, url.statusCodes)) {
        return {false, "HTTP status code " + std::to_string(status)};
    }
    if (url.digest) {
        const Md5Digest got = md5(body);
        if (got != *url.digest) {
            return {false, "MD5 digest " + toHex(got) + " differs from " + toHex(*url.digest)};
        }
    }
    if (regex && !regex->passes(body)) {
        return {false, url.regexNoMatch ? "body matches regex" : "body does not match regex"};
    }
    return {true, "HTTP status code " + std::to_string(status)};
}

}  // namespace ipvsd::healthcheck
