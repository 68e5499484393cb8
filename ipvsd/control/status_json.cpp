// statusReply without building a nlohmann tree: with 10 000 services the tree and its dump cost ~10x the
// time of writing the text directly, and this runs on the daemon's event loop. The shape is exactly the
// one toJson() gives (test: control_protocol_test "direct writer").
#include "ipvsd/control/protocol.h"
#include "ipvsd/control/status_table.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace ipvsd::control {

namespace {

class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}

    // One pass: runs of plain characters are appended at once, 7-bit escapes inline; a string with bytes
    // over 0x7f is rewritten through nlohmann (its escapes, and invalid UTF-8 as the replacement character).
    void str(std::string_view s) {
        const std::size_t start = out_.size();
        out_ += '"';
        const char* run = s.data();
        const char* const end = s.data() + s.size();
        for (const char* p = run; p != end; ++p) {
            const auto u = static_cast<unsigned char>(*p);
            if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\') continue;
            if (u >= 0x80) {
                out_.resize(start);
                out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                return;
            }
            out_.append(run, static_cast<std::size_t>(p - run));
            run = p + 1;
            switch (u) {
                case '"': out_ += "\\\""; break;
                case '\\': out_ += "\\\\"; break;
                case '\n': out_ += "\\n"; break;
                case '\t': out_ += "\\t"; break;
                case '\r': out_ += "\\r"; break;
                default: fmt::format_to(std::back_inserter(out_), "\\u{:04x}", u);
            }
        }
        out_.append(run, static_cast<std::size_t>(end - run));
        out_ += '"';
    }
    void key(std::string_view k) {
        sep();
        str(k);
        out_ += ':';
        first_ = true;  // the value follows without a comma
        pendingValue_ = true;
    }
    void num(std::uint64_t v) {
        value();
        const fmt::format_int t(v);
        out_.append(t.data(), t.size());
    }
    void num(std::int64_t v) {
        value();
        const fmt::format_int t(v);
        out_.append(t.data(), t.size());
    }
    void num(int v) { num(static_cast<std::int64_t>(v)); }
    void num(unsigned v) { num(static_cast<std::uint64_t>(v)); }
    void num(double v) {
        value();
        if (!std::isfinite(v)) v = 0;
        fmt::format_to(std::back_inserter(out_), "{}", v);
    }
    void boolean(bool v) {
        value();
        out_ += v ? "true" : "false";
    }
    void raw(std::string_view v) {
        value();
        out_ += v;
    }
    void text(std::string_view v) {
        value();
        str(v);
    }
    void open(char c) {
        value();
        out_ += c;
        first_ = true;
    }
    void close(char c) {
        out_ += c;
        first_ = false;
    }

  private:
    void sep() {
        if (!first_) out_ += ',';
        first_ = false;
    }
    void value() {
        if (pendingValue_) {
            pendingValue_ = false;
            first_ = false;
            return;
        }
        sep();
    }
    std::string& out_;
    bool first_ = true;
    bool pendingValue_ = false;
};

void write(Writer& w, const IpvsCounters& c) {
    w.open('{');
    w.key("connections"), w.num(c.connections);
    w.key("packetsIn"), w.num(c.packetsIn);
    w.key("packetsOut"), w.num(c.packetsOut);
    w.key("bytesIn"), w.num(c.bytesIn);
    w.key("bytesOut"), w.num(c.bytesOut);
    w.key("cps"), w.num(c.cps);
    w.key("inPps"), w.num(c.inPps);
    w.key("outPps"), w.num(c.outPps);
    w.key("inBps"), w.num(c.inBps);
    w.key("outBps"), w.num(c.outBps);
    w.close('}');
}

void write(Writer& w, const VrrpInstanceStatus& v) {
    w.open('{');
    w.key("name"), w.text(v.name);
    w.key("interfaceName"), w.text(v.interfaceName);
    w.key("vrid"), w.num(v.vrid);
    w.key("family"), w.text(v.family);
    w.key("state"), w.text(v.state);
    w.key("priority"), w.num(v.priority);
    w.key("effectivePriority"), w.num(v.effectivePriority);
    w.key("masterAddress"), w.text(v.masterAddress);
    w.key("transitions"), w.num(v.transitions);
    w.key("lastAdvertAgeSeconds"), w.num(v.lastAdvertAgeSeconds);
    w.key("advertsSent"), w.num(v.advertsSent);
    w.key("advertsReceived"), w.num(v.advertsReceived);
    w.key("drops"), w.open('{');
    for (const auto& [reason, n] : v.drops) w.key(reason), w.num(n);
    w.close('}');
    w.close('}');
}

void write(Writer& w, const RealServerStatus& r) {
    w.open('{');
    w.key("address"), w.text(r.address);
    w.key("forwarding"), w.text(r.forwarding);
    w.key("weight"), w.num(r.weight);
    w.key("configuredWeight"), w.num(r.configuredWeight);
    w.key("up"), w.boolean(r.up);
    w.key("disabled"), w.boolean(r.disabled);
    w.key("lastFailure"), w.text(r.lastFailure);
    w.key("checker"), w.text(r.checker);
    w.key("lastCheckDurationSeconds"), w.num(r.lastCheckDurationSeconds);
    w.key("checksOk"), w.num(r.checksOk);
    w.key("checksFailed"), w.num(r.checksFailed);
    w.key("activeConnections"), w.num(r.activeConnections);
    w.key("inactiveConnections"), w.num(r.inactiveConnections);
    w.key("counters"), write(w, r.counters);
    w.close('}');
}

void write(Writer& w, const VirtualServerStatus& v) {
    w.open('{');
    w.key("key"), w.text(v.key);
    w.key("protocol"), w.text(v.protocol);
    w.key("address"), w.text(v.address);
    w.key("scheduler"), w.text(v.scheduler);
    w.key("persistent"), w.boolean(v.persistent);
    w.key("persistenceTimeout"), w.num(v.persistenceTimeout);
    w.key("quorumUp"), w.boolean(v.quorumUp);
    w.key("counters"), write(w, v.counters);
    w.key("realServers"), w.open('[');
    for (const auto& r : v.realServers) write(w, r);
    w.close(']');
    w.key("members"), w.open('[');
    for (const auto& m : v.members) {
        w.open('{');
        w.key("key"), w.text(m.key);
        w.key("counters"), write(w, m.counters);
        w.close('}');
    }
    w.close(']');
    w.close('}');
}

}  // namespace

std::string statusTableReply(const nlohmann::json& id, const StatusSnapshot& s) {
    const std::string table = formatStatusTable(s);
    std::string out;
    out.reserve(table.size() + table.size() / 16 + 64);
    Writer w(out);
    w.open('{');
    w.key("v"), w.num(kProtocolVersion);
    if (!id.is_null()) w.key("id"), w.raw(id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    w.key("ok"), w.boolean(true);
    w.key("result"), w.open('{');
    w.key("table"), w.text(table);
    w.close('}');
    w.close('}');
    return out;
}

std::optional<std::string> tableFromReply(std::string_view reply) {
    constexpr std::string_view prefix = R"({"v":1,"ok":true,"result":{"table":")";
    constexpr std::string_view suffix = R"("}})";
    if (reply.size() < prefix.size() + suffix.size() || reply.substr(0, prefix.size()) != prefix ||
        reply.substr(reply.size() - suffix.size()) != suffix)
        return std::nullopt;
    const std::string_view body = reply.substr(prefix.size(), reply.size() - prefix.size() - suffix.size());
    std::string out;
    out.reserve(body.size());
    std::size_t run = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '"' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;  // not one JSON string
        if (c != '\\') continue;
        out.append(body.data() + run, i - run);
        if (++i == body.size()) return std::nullopt;
        switch (body[i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'u': {  // the writer only escapes 7-bit control characters this way
                if (i + 4 >= body.size()) return std::nullopt;
                unsigned v = 0;
                for (std::size_t k = 1; k <= 4; ++k) {
                    const char h = body[i + k];
                    v <<= 4;
                    if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
                    else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
                    else return std::nullopt;
                }
                if (v >= 0x80) return std::nullopt;
                out += static_cast<char>(v);
                i += 4;
                break;
            }
            default: return std::nullopt;
        }
        run = i + 1;
    }
    out.append(body.data() + run, body.size() - run);
    return out;
}

std::string statusReply(const nlohmann::json& id, const StatusSnapshot& s) {
    std::string out;
    std::size_t reals = 0;
    for (const auto& vs : s.virtualServers) reals += vs.realServers.size();
    out.reserve(1024 + s.vrrpInstances.size() * 400 + s.virtualServers.size() * 400 + reals * 500);
    Writer w(out);
    w.open('{');
    w.key("v"), w.num(kProtocolVersion);
    if (!id.is_null()) {
        w.key("id");
        w.raw(id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    w.key("ok"), w.boolean(true);
    w.key("result"), w.open('{');
    w.key("version"), w.text(s.version);
    w.key("pid"), w.num(s.pid);
    w.key("uptimeSeconds"), w.num(s.uptimeSeconds);
    w.key("reloads"), w.num(s.reloads);
    w.key("reloadFailures"), w.num(s.reloadFailures);
    w.key("lastReloadDurationSeconds"), w.num(s.lastReloadDurationSeconds);
    w.key("loop"), w.open('{');
    w.key("timersFired"), w.num(s.loop.timersFired);
    w.key("lateOverThreshold"), w.num(s.loop.lateOverThreshold);
    w.key("lateMaxSeconds"), w.num(s.loop.lateMaxSeconds);
    w.key("lateMeanSeconds"), w.num(s.loop.lateMeanSeconds);
    w.close('}');
    w.key("vrrpInstances"), w.open('[');
    for (const auto& v : s.vrrpInstances) write(w, v);
    w.close(']');
    w.key("virtualServers"), w.open('[');
    for (const auto& v : s.virtualServers) write(w, v);
    w.close(']');
    w.close('}');
    w.close('}');
    return out;
}

}  // namespace ipvsd::control
