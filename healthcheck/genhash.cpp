#include "healthcheck/genhash.h"

#include "healthcheck/http_fetch.h"
#include "healthcheck/http_match.h"

#include <boost/asio/io_context.hpp>

#include <cctype>
#include <optional>

namespace ipvsd::healthcheck {

namespace {

constexpr std::string_view kUsage =
    "Usage: genhash COMMAND [OPTIONS]\n"
    "Commands:\n"
    "   -s server-address -p port -u url\n"
    "   -S -s server-address -p port -u url\n"
    "   -h\n"
    "\n"
    "Options:\n"
    "Either long or short options are allowed.\n"
    "   --use-ssl         -S       Use SSL connection to remote server.\n"
    "   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n"
    "   --server          -s       Use the specified remote server address.\n"
    "   --port            -p       Use the specified remote server port.\n"
    "   --url             -u       Use the specified remote server url.\n"
    "   --use-virtualhost -V       Use the specified virtualhost in GET query.\n"
    "   --verbose         -v       Use verbose mode output.\n"
    "   --help            -h       Display this short inlined help screen.\n"
    "   --fwmark          -m       Use the specified FW mark.\n"
    "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n"
    "                                1.0c means 1.0 with 'Connection: close'\n"
    "   --timeout         -t       Timeout in seconds\n";

struct Option {
    char shortName;
    std::string_view longName;
    bool hasValue;
};
constexpr Option kOptions[] = {
    {'S', "use-ssl", false}, {'I', "use-sni", false},        {'s', "server", true},   {'p', "port", true},
    {'u', "url", true},      {'V', "use-virtualhost", true}, {'v', "verbose", false}, {'h', "help", false},
    {'m', "fwmark", true},   {'P', "protocol", true},        {'t', "timeout", true},
};

struct Request {
    bool ssl = false, sni = false, verbose = false;
    std::optional<std::string> server, url, vhost;
    std::optional<std::uint16_t> port;
    std::optional<std::uint32_t> fwmark;
    conf::HttpProtocol protocol = conf::HttpProtocol::Http10;
    unsigned timeoutSeconds = 5;
};

std::optional<std::uint64_t> digits(const std::string& s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// An error text ("" for usage only) or nullopt when the option was taken.
std::optional<std::string> apply(Request& r, char name, const std::string& value) {
    switch (name) {
    case 'S': r.ssl = true; break;
    case 'I': r.sni = true; break;
    case 'v': r.verbose = true; break;
    case 'h': return std::string();
    case 's': r.server = value; break;
    case 'u': r.url = value; break;
    case 'V': r.vhost = value; break;
    case 'p': {
        const auto v = digits(value);
        if (!v || *v == 0 || *v > 65535) return "invalid port number '" + value + "'";
        r.port = static_cast<std::uint16_t>(*v);
        break;
    }
    case 'm': {
        const auto v = digits(value);
        if (!v) return "invalid fwmark '" + value + "'";
        r.fwmark = static_cast<std::uint32_t>(*v & 0xffffffffu);
        break;
    }
    case 't': {
        const auto v = digits(value);
        if (!v) return "invalid timeout '" + value + "'";
        r.timeoutSeconds = static_cast<unsigned>(std::min<std::uint64_t>(*v, 86400u * 365));
        break;
    }
    case 'P': {
        std::string lower;
        for (char c : value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if (lower == "1.0") {
            r.protocol = conf::HttpProtocol::Http10;
        } else if (lower == "1.0c") {
            r.protocol = conf::HttpProtocol::Http10Close;
        } else if (lower == "1.1") {
            r.protocol = conf::HttpProtocol::Http11;
        } else {
            return "invalid HTTP protocol version '" + value + "'";
        }
        break;
    }
    default: return std::string();
    }
    return std::nullopt;
}

int usage(std::ostream& err, const std::string& message) {
    if (!message.empty()) err << message << '\n';
    err << kUsage;
    return 1;
}

}  // namespace

std::string genhashDump(std::string_view data) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t line = 0; line < data.size(); line += 16) {
        const std::string_view chunk = data.substr(line, 16);
        std::string offset = std::to_string(line);
        out += std::string(offset.size() < 4 ? 4 - offset.size() : 0, '0') + offset + "  ";
        for (std::size_t i = 0; i < 16; ++i) {
            if (i == 8) out += "- ";
            if (i < chunk.size()) {
                const auto b = static_cast<unsigned char>(chunk[i]);
                out += kHex[b >> 4];
                out += kHex[b & 0xf];
                out += ' ';
            } else {
                out += "   ";
            }
        }
        out += "  ";
        for (std::size_t i = 0; i < 16; ++i) {
            const auto c = i < chunk.size() ? static_cast<unsigned char>(chunk[i]) : ' ';
            out += std::isprint(c) ? static_cast<char>(c) : '.';
        }
        out += '\n';
    }
    return out;
}

int runGenhash(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Request r;
    std::vector<std::string> positional;
    // A value option takes the rest of its word or the next word (getopt_long, as genhash).
    const auto take = [&](const Option& option, std::optional<std::string> inlineValue,
                          std::size_t& i, const std::string& shown) -> std::optional<std::string> {
        std::string value;
        if (option.hasValue) {
            if (inlineValue) {
                value = *inlineValue;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                // keepalived prints garbage after "--" for a long option; we print its name.
                return "Missing parameter for option " + shown;
            }
        }
        return apply(r, option.shortName, value);
    };
    // genhash shows only the usage text when given fewer than two arguments, whatever they are.
    if (args.size() < 2) return usage(err, "");
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) == 0 && a.size() > 2) {
            const auto eq = a.find('=');
            const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            // An exact name or a unique prefix (getopt_long: --serv is --server).
            const Option* option = nullptr;
            int prefixes = 0;
            for (const auto& o : kOptions) {
                if (o.longName == name) {
                    option = &o;
                    prefixes = 1;
                    break;
                }
                if (o.longName.starts_with(name)) {
                    option = &o;
                    ++prefixes;
                }
            }
            if (prefixes != 1) return usage(err, "Unknown option " + a);
            std::optional<std::string> inlineValue;
            if (eq != std::string::npos) inlineValue = a.substr(eq + 1);
            if (auto problem = take(*option, inlineValue, i, "--" + std::string(option->longName)))
                return usage(err, *problem);
        } else if (a.size() >= 2 && a[0] == '-') {
            // Grouped flags (-Iv) as getopt reads them.
            for (std::size_t k = 1; k < a.size(); ++k) {
                const Option* option = nullptr;
                for (const auto& o : kOptions) {
                    if (o.shortName == a[k]) option = &o;
                }
                if (!option) return usage(err, std::string("Unknown option -") + a[k]);
                std::optional<std::string> inlineValue;
                if (option->hasValue && k + 1 < a.size()) inlineValue = a.substr(k + 1);
                if (auto problem = take(*option, inlineValue, i, std::string("-") + a[k])) return usage(err, *problem);
                if (option->hasValue) break;
            }
        } else {
            positional.push_back(a);
        }
    }
    if (!positional.empty()) {
        out << "Unexpected argument(s):";
        for (const auto& p : positional) out << ' ' << p;
        out << '\n';
        return usage(err, "");
    }
    if (!r.server || !r.port || !r.url) return usage(err, "");
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(*r.server, ec);
    if (ec) return usage(err, "server should be an IP, not " + *r.server);

    HttpFetchSpec spec;
    spec.target.address = address;
    spec.target.port = *r.port;
    spec.target.fwmark = r.fwmark;
    spec.target.connectTimeout = std::chrono::seconds(r.timeoutSeconds);
    spec.maxBody = 256 * 1024 * 1024;
    const std::string ip = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    spec.request = buildRequest(*r.url, r.vhost ? *r.vhost : ip + ":" + std::to_string(*r.port), r.protocol);
    if (r.ssl) {
        std::string error;
        spec.tls = makeClientTls({}, error);
        if (!spec.tls) {
            out << error << '\n';
            return 0;
        }
        if (r.sni && r.vhost) spec.sniHost = r.vhost;
    }
    asio::io_context io;
    HttpFetchResult result;
    const auto started = Clock::now();
    auto fetch = HttpFetch::start(io, std::move(spec), [&](HttpFetchResult res) { result = std::move(res); });
    io.run();
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    if (!result.error.empty()) {
        // genhash's own words for its failures
        const std::string& e = result.error;
        if (e.rfind("connect", 0) == 0 || e.rfind("timeout connecting", 0) == 0) {
            out << "Connection failed\n";
        } else if (e.rfind("TLS handshake", 0) == 0 || e.rfind("timeout in TLS", 0) == 0) {
            out << "SSL handshake/communication error connecting to\n";
        } else if (e.rfind("timeout sending", 0) == 0 || e.rfind("sending", 0) == 0) {
            out << "Timeout WEB write\n";
        } else if (e.rfind("timeout reading", 0) == 0) {
            out << "Timeout WEB read\n";
        } else {
            out << e << '\n';
        }
        return 0;
    }
    const Md5Digest digest = md5(result.body);
    if (r.verbose) {
        const std::string bar = "-----------------------";
        out << bar << "[    HTTP Header Buffer    ]" << bar << '\n' << genhashDump(result.header);
        out << bar << "[ HTTP Header Ascii Buffer ]" << bar << '\n' << result.header << '\n';
        out << bar << "[        HTML Buffer        ]" << bar << '\n' << genhashDump(result.body) << '\n';
        out << bar << "[    HTML hash resulting    ]" << bar << '\n'
            << genhashDump(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
        out << bar << "[ HTML hash final resulting ]" << bar << '\n' << toHex(digest) << "\n\n";
        out << "Global response time for [" << *r.url << "] = " << elapsed.count() << " usecs\n";
    } else {
        out << toHex(digest) << '\n';
    }
    return 0;
}

}  // namespace ipvsd::healthcheck
