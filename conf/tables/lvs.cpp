// Top-level keywords of the LVS area: virtual_server_group, virtual_server and SSL.
// Facts: keepalived.conf(5) "LVS CONFIGURATION" and keepalived 2.2.7's observable behaviour under -t
// (test/unit/data/lvs/, docs/keepalived-config-facts.md).
#include "conf/tables/lvs_tables.h"

#include <cerrno>
#include <cstdlib>

namespace ipvsd::conf {

namespace {

// ---- virtual_server_group ----

std::uint16_t last16(const IpAddress& a) {
    return static_cast<std::uint16_t>(a.bytes[14] << 8 | a.bytes[15]);
}

// `IP[-END|/LEN] [PORT]` or `fwmark N [inet|inet6]`, as keepalived's alloc_vsg_entry reads them.
std::optional<VsgEntry> parseVsgEntry(const VirtualServerGroup& group, const Statement& s, BindContext& ctx) {
    VsgEntry e;
    e.where = s.where;
    const std::string& first = s.words[0];
    if (first == "fwmark") {
        if (s.words.size() < 2) {
            ctx.error(
                "Configuration line starting `fwmark` is missing a parameter after keyword `fwmark` at word "
                "position 2");
            return std::nullopt;
        }
        auto mark = lvs::readUnsigned(ctx, s.words[1], 0, 0xffffffffu);
        if (!mark) {
            ctx.adjusted(fmt::format("({}): fwmark '{}' must be in [0, 4294967295] - ignoring", group.name,
                                  s.words[1]));
            return std::nullopt;
        }
        e.isFwmark = true;
        e.fwmark = *mark;
        if (s.words.size() > 2) {
            if (s.words[2] == "inet") {
                e.fwmarkFamily = IpFamily::Inet;
            } else if (s.words[2] == "inet6") {
                e.fwmarkFamily = IpFamily::Inet6;
            } else {
                ctx.adjusted(fmt::format("({}): fwmark '{}' family {} unknown - ignoring", group.name, *mark,
                                      s.words[2]));
                return std::nullopt;
            }
        }
        return e;
    }

    std::string_view portWord = s.words.size() >= 2 ? std::string_view(s.words[1]) : std::string_view{};
    std::optional<std::uint16_t> port = std::uint16_t{0};
    if (!portWord.empty()) port = lvs::readServerPort(ctx, portWord);
    auto address = lvs::parseServerAddress(first);
    if (!port || !address) {
        ctx.error(fmt::format("Invalid virtual server group IP address {} {}{} - skipping", first,
                              portWord.empty() ? "" : "/port/", portWord));
        return std::nullopt;
    }
    e.first = *address;
    e.last = *address;
    e.port = *port;
    bool v6 = address->isV6();

    if (auto slash = first.find('/'); slash != std::string::npos) {
        std::string maskText = first.substr(slash + 1);
        char* end = nullptr;
        unsigned long mask = std::strtoul(maskText.c_str(), &end, 10);
        if (*end || mask == 0 || mask > (v6 ? 128u : 32u)) {
            ctx.error(fmt::format("Invalid netmask - {} - skipping", first));
            return std::nullopt;
        }
        // The host bits must be clear; the range ends with them all set.
        unsigned bits = v6 ? 128 : 32;
        for (unsigned bit = static_cast<unsigned>(mask); bit < bits; ++bit) {
            std::uint8_t m = static_cast<std::uint8_t>(0x80u >> (bit % 8));
            if (e.first.bytes[bit / 8] & m) {
                ctx.error(fmt::format("Address mask bits not empty - {} - skipping", first));
                return std::nullopt;
            }
            e.last.bytes[bit / 8] |= m;
        }
        e.form = VsgEntry::Form::Prefix;
        e.prefixLength = static_cast<std::uint8_t>(mask);
        return e;
    }

    auto dash = first.find('-');
    if (dash == std::string::npos) return e;
    std::string endText = first.substr(dash + 1);
    if (endText.find(v6 ? ':' : '.') != std::string::npos) {
        auto endAddress = lvs::parseServerAddress(endText);
        if (!endAddress) {
            ctx.error(fmt::format("Invalid range end {} - skipping", first));
            return std::nullopt;
        }
        if (endAddress->family != address->family) {
            ctx.error(fmt::format("Range address families do not match {} - skipping", first));
            return std::nullopt;
        }
        if (endAddress->bytes < address->bytes) {
            ctx.error(
                fmt::format("Address range end is less than address range start - {} - skipping", first));
            return std::nullopt;
        }
        e.last = *endAddress;
        e.form = VsgEntry::Form::FullRange;
        return e;
    }
    // IP-N: N replaces the last octet (IPv4, decimal) or the last 16 bits (IPv6, hex).
    errno = 0;
    char* end = nullptr;
    unsigned long range = std::strtoul(endText.c_str(), &end, v6 ? 16 : 10);
    if (*end) {
        ctx.error(
            fmt::format("Virtual server group range '{}' has extra characters at end '{}'", first, end));
        return std::nullopt;
    }
    if (errno == ERANGE || range > (v6 ? 0xffffu : 255u)) {
        ctx.error(fmt::format("Virtual server group range '{}' end '{}' too large", first, endText));
        return std::nullopt;
    }
    unsigned start = v6 ? last16(*address) : address->bytes[3];
    if (start >= range) {
        ctx.error(
            fmt::format("Address range end is not greater than address range start - {} - skipping", first));
        return std::nullopt;
    }
    if (v6) {
        e.last.bytes[14] = static_cast<std::uint8_t>(range >> 8);
        e.last.bytes[15] = static_cast<std::uint8_t>(range & 0xff);
    } else {
        e.last.bytes[3] = static_cast<std::uint8_t>(range);
    }
    e.form = VsgEntry::Form::LastPart;
    return e;
}

std::vector<std::string> vsgEntryWords(const VsgEntry& e) {
    if (e.isFwmark) {
        std::vector<std::string> w{"fwmark", std::to_string(e.fwmark)};
        if (e.fwmarkFamily) w.emplace_back(lvs::familyName(*e.fwmarkFamily));
        return w;
    }
    std::string text = e.first.toString();
    switch (e.form) {
        case VsgEntry::Form::Single:
            break;
        case VsgEntry::Form::Prefix:
            text += fmt::format("/{}", e.prefixLength);
            break;
        case VsgEntry::Form::FullRange:
            text += "-" + e.last.toString();
            break;
        case VsgEntry::Form::LastPart:
            text +=
                e.first.isV6() ? fmt::format("-{:x}", last16(e.last)) : fmt::format("-{}", e.last.bytes[3]);
            break;
    }
    std::vector<std::string> w{text};
    if (e.port) w.push_back(std::to_string(e.port));
    return w;
}

Keyword<Config> virtualServerGroup() {
    Keyword<Config> k{.name = "virtual_server_group",
                      .minArgs = 1,
                      .maxArgs = kAnyArgs,
                      .shape = Keyword<Config>::Shape::ValueBlock};
    k.bind = [](Config& c, const Statement& s, BindContext& ctx) {
        auto& group = c.lvs.groups.emplace_back();
        group.where = s.where;
        group.name = s.arg(0);
        // keepalived hands the words after the name to the value block reader, which fails on them.
        if (s.argCount() > 1)
            ctx.error(fmt::format("virtual_server_group {}: unexpected '{}' after the group name", s.arg(0),
                                  s.arg(1)));
    };
    k.value = [](Config& c, const Statement& s, BindContext& ctx) {
        if (c.lvs.groups.empty()) return;
        auto& group = c.lvs.groups.back();
        if (auto e = parseVsgEntry(group, s, ctx)) group.entries.push_back(*e);
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& group : c.lvs.groups) {
            out.beginBlock({"virtual_server_group", group.name});
            for (const auto& e : group.entries) out.value(vsgEntryWords(e));
            out.endBlock();
        }
    };
    return k;
}

// ---- SSL ----

Keyword<SslContext> sslFile(std::string_view name, std::optional<std::string> SslContext::*member) {
    Keyword<SslContext> k{.name = name, .maxArgs = 1};
    k.bind = [member, name](SslContext& ssl, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("SSL {} missing", name == "certificate" ? "certfile"
                                                    : name == "key"       ? "keyfile"
                                                    : name == "ca"        ? "cafile"
                                                                          : "password"));
            return;
        }
        if (ssl.*member) ctx.error(fmt::format("SSL {} already specified - replacing", name));
        ssl.*member = s.arg(0);
    };
    k.dump = [member, name](const SslContext& ssl, ConfigWriter& out) {
        if (ssl.*member) out.statement({std::string(name), *(ssl.*member)});
    };
    return k;
}

const Table<SslContext>& sslTable() {
    static const Table<SslContext> table("SSL", [] {
        std::vector<Keyword<SslContext>> rows;
        rows.push_back(sslFile("password", &SslContext::password));
        rows.push_back(sslFile("ca", &SslContext::ca));
        rows.push_back(sslFile("certificate", &SslContext::certificate));
        rows.push_back(sslFile("key", &SslContext::key));
        return rows;
    }());
    return table;
}

Keyword<Config> ssl() {
    Keyword<Config> k{.name = "SSL", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock};
    k.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (c.lvs.ssl) ctx.error("SSL context already specified - replacing");
        c.lvs.ssl.emplace();
        c.lvs.ssl->where = s.where;
        return std::make_unique<TableBinder<SslContext>>(*c.lvs.ssl, sslTable());
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        if (!c.lvs.ssl) return;
        out.beginBlock({"SSL"});
        sslTable().dump(*c.lvs.ssl, out);
        out.endBlock();
    };
    return k;
}

// ---- virtual_server ----

Keyword<Config> virtualServer() {
    Keyword<Config> k{.name = "virtual_server",
                      .minArgs = 1,
                      .maxArgs = kAnyArgs,
                      .shape = Keyword<Config>::Shape::SubBlock};
    k.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        VirtualServer vs;
        vs.where = s.where;
        if (s.argCount() == 0) return lvs::detachedVirtualServer(std::move(vs), lvs::Scope{&c});  // reported
        bool valid = true;
        const std::string& first = s.arg(0);
        if (first == "group" || first == "fwmark") {
            if (s.argCount() < 2) {
                // keepalived 2.2.7 dereferences the missing word and crashes (exit 139).
                ctx.error(fmt::format("virtual_server {} needs a {}", first,
                                      first == "group" ? "group name" : "mark"));
                valid = false;
            } else if (first == "group") {
                vs.kind = VirtualServer::Kind::Group;
                vs.group = s.arg(1);
            } else if (auto mark = lvs::readUnsigned(ctx, s.arg(1), 0, 0xffffffffu)) {
                vs.kind = VirtualServer::Kind::Fwmark;
                vs.fwmark = *mark;
            } else {
                ctx.error(fmt::format("virtual server fwmark '{}' must be in [0, 4294967295] - ignoring",
                                      s.arg(1)));
                valid = false;
            }
        } else {
            std::string_view portWord = s.argCount() >= 2 ? std::string_view(s.arg(1)) : std::string_view{};
            std::optional<std::uint16_t> port = std::uint16_t{0};
            if (!portWord.empty()) port = lvs::readServerPort(ctx, portWord);
            auto address = lvs::parseServerAddress(first);
            if (!port || !address) {
                bool portGiven = portWord.find_first_not_of('0') != std::string_view::npos;
                ctx.error(fmt::format("Invalid virtual server IP address{} {}{}{} - skipping",
                                      portGiven ? "/port" : "", first, portGiven ? "/" : "",
                                      portGiven ? portWord : ""));
                valid = false;
            } else {
                vs.address = *address;
                vs.port = *port;
                vs.family = address->isV6() ? IpFamily::Inet6 : IpFamily::Inet;
            }
        }
        if (!valid) return lvs::detachedVirtualServer(std::move(vs), lvs::Scope{&c});
        auto& stored = c.lvs.virtualServers.emplace_back(std::move(vs));
        auto binder = lvs::virtualServerBinder(stored);
        binder->setScope(lvs::Scope{&c});
        return binder;
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& vs : c.lvs.virtualServers) {
            std::vector<std::string> header{"virtual_server"};
            switch (vs.kind) {
                case VirtualServer::Kind::Address:
                    header.push_back(vs.address.toString());
                    if (vs.port) header.push_back(std::to_string(vs.port));
                    break;
                case VirtualServer::Kind::Fwmark:
                    header.insert(header.end(), {"fwmark", std::to_string(vs.fwmark)});
                    break;
                case VirtualServer::Kind::Group:
                    header.insert(header.end(), {"group", vs.group});
                    break;
            }
            out.beginBlock(header);
            lvs::virtualServerTable().dump(vs, out);
            out.endBlock();
        }
    };
    return k;
}

}  // namespace

void addLvsRootKeywords(std::vector<Keyword<Config>>& rows) {
    rows.push_back(virtualServerGroup());
    rows.push_back(virtualServer());
    rows.push_back(ssl());
}

}  // namespace ipvsd::conf
