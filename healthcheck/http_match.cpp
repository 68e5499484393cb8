#include "healthcheck/http_match.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>

#include <algorithm>
#include <iterator>
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

namespace {

struct RegexOption {
    std::string_view name;
    std::uint32_t flag;
};
// keepalived.conf(5) 2.2.7: the regex_options it supports, each a PCRE2 compile option.
constexpr RegexOption kRegexOptions[] = {
    {"allow_empty_class", PCRE2_ALLOW_EMPTY_CLASS}, {"alt_bsux", PCRE2_ALT_BSUX},
    {"auto_callout", PCRE2_AUTO_CALLOUT},           {"caseless", PCRE2_CASELESS},
    {"dollar_endonly", PCRE2_DOLLAR_ENDONLY},       {"dotall", PCRE2_DOTALL},
    {"dupnames", PCRE2_DUPNAMES},                   {"extended", PCRE2_EXTENDED},
    {"firstline", PCRE2_FIRSTLINE},                 {"match_unset_backref", PCRE2_MATCH_UNSET_BACKREF},
    {"multiline", PCRE2_MULTILINE},                 {"never_ucp", PCRE2_NEVER_UCP},
    {"never_utf", PCRE2_NEVER_UTF},                 {"no_auto_capture", PCRE2_NO_AUTO_CAPTURE},
    {"no_auto_possess", PCRE2_NO_AUTO_POSSESS},     {"no_dotstar_anchor", PCRE2_NO_DOTSTAR_ANCHOR},
    {"no_start_optimize", PCRE2_NO_START_OPTIMIZE}, {"ucp", PCRE2_UCP},
    {"ungreedy", PCRE2_UNGREEDY},                   {"utf", PCRE2_UTF},
    {"never_backslash_c", PCRE2_NEVER_BACKSLASH_C}, {"alt_circumflex", PCRE2_ALT_CIRCUMFLEX},
    {"alt_verbnames", PCRE2_ALT_VERBNAMES},         {"use_offset_limit", PCRE2_USE_OFFSET_LIMIT},
};

}  // namespace

struct BodyRegex::Impl {
    pcre2_code* code = nullptr;
    pcre2_match_context* context = nullptr;
    bool noMatch = false;
    std::uint64_t minOffset = 0;
    ~Impl() {
        pcre2_match_context_free(context);
        pcre2_code_free(code);
    }
};

BodyRegex::BodyRegex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BodyRegex::~BodyRegex() = default;

std::shared_ptr<const BodyRegex> BodyRegex::compile(const conf::HttpUrl& url, std::string& error) {
    if (!url.regex) {
        error = "no regex";
        return nullptr;
    }
    std::uint32_t flags = 0;
    for (const auto& option : url.regexOptions) {
        const auto* found = std::find_if(std::begin(kRegexOptions), std::end(kRegexOptions),
                                         [&](const RegexOption& o) { return o.name == option; });
        if (found == std::end(kRegexOptions)) {
            error = "regex option '" + option + "' is not supported";
            return nullptr;
        }
        flags |= found->flag;
    }
    if (url.regexMaxOffset) flags |= PCRE2_USE_OFFSET_LIMIT;
    auto impl = std::make_unique<Impl>();
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(url.regex->data()), url.regex->size(), flags,
                               &errorCode, &errorOffset, nullptr);
    if (!impl->code) {
        std::array<PCRE2_UCHAR, 256> message{};
        pcre2_get_error_message(errorCode, message.data(), message.size());
        error = "bad regex '" + *url.regex + "' at offset " + std::to_string(errorOffset) + ": " +
                reinterpret_cast<const char*>(message.data());
        return nullptr;
    }
    impl->context = pcre2_match_context_create(nullptr);
    if (!impl->context) {
        error = "out of memory";
        return nullptr;
    }
    pcre2_set_match_limit(impl->context, kMatchLimit);
    pcre2_set_depth_limit(impl->context, kDepthLimit);
    if (url.regexMaxOffset) pcre2_set_offset_limit(impl->context, static_cast<PCRE2_SIZE>(*url.regexMaxOffset));
    impl->noMatch = url.regexNoMatch;
    impl->minOffset = url.regexMinOffset.value_or(0);
    return std::make_shared<const BodyRegex>(std::move(impl));
}

bool BodyRegex::passes(std::string_view body) const {
    bool matched = false;
    if (impl_->minOffset <= body.size()) {
        pcre2_match_data* data = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
        if (data) {
            const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(body.data()), body.size(),
                                       static_cast<PCRE2_SIZE>(impl_->minOffset), 0, data, impl_->context);
            // rc < 0: no match, or a limit was hit (PCRE2_ERROR_MATCHLIMIT/DEPTHLIMIT): not a match
            matched = rc >= 0;
            pcre2_match_data_free(data);
        }
    }
    return matched != impl_->noMatch;
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
